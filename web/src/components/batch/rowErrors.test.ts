import { describe, expect, it } from "vitest";
import { confirmLabel, errorLines, errorLinesFromRows, invalidRowCount } from "./rowErrors";
import type { BatchRow } from "./types";

describe("row errors", () => {
  it("keeps the API's words, sorted by row, and calls a row-wide problem 'row'", () => {
    const lines = errorLines([
      { row: 4, field: "width", message: "width: must be a multiple of 64" },
      { row: 2, field: "", message: "each row must be an object" },
      { row: 4, field: "prompt", message: "prompt is required" },
    ]);
    expect(lines.map((l) => [l.row, l.field, l.message])).toEqual([
      [2, "row", "each row must be an object"],
      [4, "width", "width: must be a multiple of 64"],
      [4, "prompt", "prompt is required"],
    ]);
    expect(new Set(lines.map((l) => l.key)).size).toBe(3);
  });

  it("reads the same lines from rows fetched later", () => {
    const row = (n: number, errors: BatchRow["errors"]): BatchRow => ({ row: n, name: "", kind: "create",
      status: errors.length ? "invalid" : "pending", attempt: 1, operation_id: null, errors, error: null,
      asset_ids: [], credits: null, updated_at: "" });
    expect(errorLinesFromRows([row(1, []), row(3, [{ field: "kind", message: "kind is required" }])]))
      .toEqual([{ key: "3-0", row: 3, field: "kind", message: "kind is required" }]);
  });

  it("counts invalid rows once however many fields they got wrong", () => {
    expect(invalidRowCount([{ row: 4, field: "a", message: "" }, { row: 4, field: "b", message: "" },
      { row: 7, field: "a", message: "" }])).toBe(2);
  });

  it("says what Confirm will do and cost", () => {
    expect(confirmLabel(3, 1, true, 6)).toBe("Confirm 3 rows, skip 1 invalid · 6 credits");
    expect(confirmLabel(1, 0, false, 1)).toBe("Confirm 1 row · 1 credit");
  });
});
