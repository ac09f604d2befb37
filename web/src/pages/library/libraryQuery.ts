/** The library's filters live in the URL (shareable, back-button friendly) and map one-to-one onto the
 * query parameters of GET /api/content-assets. */

export const SORTS = ["newest", "oldest", "largest", "smallest", "title"] as const;
export type Sort = (typeof SORTS)[number];
export const TYPES = ["image", "video", "model3d", "audio"] as const;
export const MODULES = ["create", "edit", "upscale", "control", "social", "transform"] as const;

export type LibraryFilters = {
  search?: string;
  type?: string;
  module?: string;
  provider?: string;
  model?: string;
  tag?: string;
  platform?: string;
  collection?: string;
  operation_id?: string;
  favourite?: boolean;
  date_from?: string;
  date_to?: string;
  width?: number;
  height?: number;
  trashed?: boolean;
  sort: Sort;
  page: number;
  page_size: number;
};

const TEXT_KEYS = ["search", "type", "module", "provider", "model", "tag", "platform", "collection",
  "operation_id", "date_from", "date_to"] as const;
const NUMBER_KEYS = ["width", "height"] as const;
export const PAGE_SIZES = [24, 48, 96] as const;

export function filtersFromParams(params: URLSearchParams): LibraryFilters {
  const filters: LibraryFilters = { sort: "newest", page: 1, page_size: PAGE_SIZES[0] };
  for (const key of TEXT_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  for (const key of NUMBER_KEYS) {
    const value = Number(params.get(key));
    if (Number.isInteger(value) && value > 0) filters[key] = value;
  }
  if (params.get("favourite") === "true") filters.favourite = true;
  if (params.get("trashed") === "true") filters.trashed = true;
  const sort = params.get("sort");
  if (sort && (SORTS as readonly string[]).includes(sort)) filters.sort = sort as Sort;
  const page = Number(params.get("page"));
  if (Number.isInteger(page) && page > 1) filters.page = page;
  const size = Number(params.get("page_size"));
  if ((PAGE_SIZES as readonly number[]).includes(size)) filters.page_size = size;
  return filters;
}

/** The URL form: defaults left out, so a plain library link stays plain. */
export function paramsFromFilters(filters: LibraryFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === "" || value === false) continue;
    if (key === "sort" && value === "newest") continue;
    if (key === "page" && value === 1) continue;
    if (key === "page_size" && value === PAGE_SIZES[0]) continue;
    params.set(key, String(value));
  }
  return params;
}

/** Changing any filter goes back to the first page. */
export function withFilter(filters: LibraryFilters, change: Partial<LibraryFilters>): LibraryFilters {
  const next = { ...filters, ...change };
  if (!("page" in change)) next.page = 1;
  return next;
}

export function activeFilterCount(filters: LibraryFilters): number {
  return [...TEXT_KEYS, ...NUMBER_KEYS, "favourite", "trashed"].filter(
    (key) => key !== "search" && filters[key as keyof LibraryFilters] !== undefined,
  ).length;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
