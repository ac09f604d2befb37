// A draft's row errors as the table shows them: by row, then field, in the API's own words.
import type { BatchRow, RowError } from "./types";

export interface ErrorLine {
  key: string;
  row: number;
  field: string;
  message: string;
}

/** The submit answer's `errors` (one per row and field), sorted by row; a row-wide problem says "row". */
export function errorLines(errors: readonly RowError[]): ErrorLine[] {
  return errors
    .map((e, index) => ({ key: `${e.row}-${index}`, row: e.row, field: e.field || "row", message: e.message }))
    .sort((a, b) => a.row - b.row || a.key.localeCompare(b.key, undefined, { numeric: true }));
}

/** The same lines from the rows of a batch read back later (each invalid row keeps its errors). */
export function errorLinesFromRows(rows: readonly BatchRow[]): ErrorLine[] {
  return errorLines(rows.flatMap((r) => r.errors.map((e) => ({ row: r.row, field: e.field, message: e.message }))));
}

export function invalidRowCount(errors: readonly RowError[]): number {
  return new Set(errors.map((e) => e.row)).size;
}

export function confirmLabel(validRows: number, invalidRows: number, skipInvalid: boolean, credits: number): string {
  const rows = `${validRows} row${validRows === 1 ? "" : "s"}`;
  const price = `${credits} credit${credits === 1 ? "" : "s"}`;
  if (invalidRows && skipInvalid) return `Confirm ${rows}, skip ${invalidRows} invalid · ${price}`;
  return `Confirm ${rows} · ${price}`;
}
