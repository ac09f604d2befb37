import { describe, expect, it } from "vitest";
import { allSelected, deselect, downloadBatches, noSelection, selectAll, selectRange, toggle } from "./selection";
import { activeFilterCount, filtersFromParams, pageCount, paramsFromFilters, withFilter } from "./libraryQuery";

const visible = ["a", "b", "c", "d", "e"];

describe("library selection", () => {
  it("toggles one asset at a time, in the order picked", () => {
    let s = toggle(noSelection, "c");
    s = toggle(s, "a");
    expect(s.ids).toEqual(["c", "a"]);
    expect(toggle(s, "c").ids).toEqual(["a"]);
  });

  it("shift-click selects the run from the last clicked asset, either direction", () => {
    expect(selectRange(toggle(noSelection, "b"), visible, "d").ids).toEqual(["b", "c", "d"]);
    expect(selectRange(toggle(noSelection, "e"), visible, "c").ids).toEqual(["e", "c", "d"]);
  });

  it("falls back to a toggle when the anchor is not on this page", () => {
    const s = selectRange(toggle(noSelection, "zz"), visible, "b");
    expect(s.ids).toEqual(["zz", "b"]);
  });

  it("selects the page without duplicates and keeps other pages' picks", () => {
    const s = selectAll(toggle(toggle(noSelection, "x"), "b"), visible);
    expect(s.ids).toEqual(["x", "b", "a", "c", "d", "e"]);
    expect(allSelected(s, visible)).toBe(true);
    expect(allSelected(noSelection, [])).toBe(false);
  });

  it("drops deleted assets and their anchor", () => {
    const s = deselect(toggle(toggle(noSelection, "a"), "b"), ["b"]);
    expect(s).toEqual({ ids: ["a"], anchor: null });
  });

  it("splits a bulk download into ZIPs the API accepts", () => {
    const ids = Array.from({ length: 205 }, (_, i) => `id${i}`);
    expect(downloadBatches(ids).map((b) => b.length)).toEqual([100, 100, 5]);
  });
});

describe("library filters in the URL", () => {
  it("round-trips every filter and leaves defaults out", () => {
    const params = new URLSearchParams("search=lighthouse&type=image&module=social&favourite=true&platform=instagram"
      + "&date_from=2026-01-01&width=1080&sort=oldest&page=3&page_size=48&collection=c1&trashed=true");
    const filters = filtersFromParams(params);
    expect(filters).toMatchObject({ search: "lighthouse", type: "image", favourite: true, width: 1080, sort: "oldest",
      page: 3, page_size: 48, collection: "c1", trashed: true });
    expect(filtersFromParams(paramsFromFilters(filters))).toEqual(filters);
    expect(paramsFromFilters(filtersFromParams(new URLSearchParams())).toString()).toBe("");
  });

  it("ignores values the API would refuse", () => {
    const filters = filtersFromParams(new URLSearchParams("sort=random&page=-2&page_size=7&width=abc"));
    expect(filters).toEqual({ sort: "newest", page: 1, page_size: 24 });
  });

  it("goes back to page one when a filter changes", () => {
    const filters = filtersFromParams(new URLSearchParams("page=4"));
    expect(withFilter(filters, { type: "video" }).page).toBe(1);
    expect(withFilter(filters, { page: 5 }).page).toBe(5);
    expect(activeFilterCount(withFilter(filters, { type: "video", search: "x", favourite: true }))).toBe(2);
    expect(pageCount(0, 24)).toBe(1);
    expect(pageCount(49, 24)).toBe(3);
  });
});
