/** Multi-select over the library: click toggles, shift-click selects the run from the last clicked asset,
 * "select page" adds every visible asset. The selection survives paging and filtering; bulk actions use it
 * in the order the assets were picked. */

export type Selection = { readonly ids: readonly string[]; readonly anchor: string | null };

export const noSelection: Selection = { ids: [], anchor: null };

export function isSelected(selection: Selection, id: string): boolean {
  return selection.ids.includes(id);
}

export function toggle(selection: Selection, id: string): Selection {
  const ids = isSelected(selection, id) ? selection.ids.filter((x) => x !== id) : [...selection.ids, id];
  return { ids, anchor: id };
}

/** Shift-click: select everything between the anchor and `id` in the visible order (inclusive). */
export function selectRange(selection: Selection, visible: readonly string[], id: string): Selection {
  const from = selection.anchor ? visible.indexOf(selection.anchor) : -1;
  const to = visible.indexOf(id);
  if (from < 0 || to < 0) return toggle(selection, id);
  const [lo, hi] = from < to ? [from, to] : [to, from];
  const run = visible.slice(lo, hi + 1);
  return { ids: [...selection.ids, ...run.filter((x) => !selection.ids.includes(x))], anchor: id };
}

export function selectAll(selection: Selection, visible: readonly string[]): Selection {
  return { ids: [...selection.ids, ...visible.filter((x) => !selection.ids.includes(x))], anchor: selection.anchor };
}

export function allSelected(selection: Selection, visible: readonly string[]): boolean {
  return visible.length > 0 && visible.every((id) => selection.ids.includes(id));
}

export function deselect(selection: Selection, removed: readonly string[]): Selection {
  const gone = new Set(removed);
  return { ids: selection.ids.filter((x) => !gone.has(x)), anchor: gone.has(selection.anchor ?? "") ? null : selection.anchor };
}

/** Bulk download takes at most this many in one ZIP (the API's limit). */
export const BULK_DOWNLOAD_LIMIT = 100;

export function downloadBatches(ids: readonly string[], size = BULK_DOWNLOAD_LIMIT): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}
