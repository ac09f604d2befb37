// Library: search, every filter, sort, pages; grid or list; favourites; multi-select with bulk
// download, trash and add-to-collection; collections and share boards; an asset's versions; the trash.
import { useState } from "react";
import { useSearchParams } from "react-router";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { asApiError } from "../../api/errors";
import { usePatchAsset, useAssets, type Asset } from "../../components/library/assetsApi";
import { AssetDetails } from "./AssetDetails";
import { AssetGrid, AssetTable } from "./AssetViews";
import { Collections } from "./Collections";
import { Filters, SortAndView } from "./Filters";
import { activeFilterCount, filtersFromParams, pageCount, paramsFromFilters, withFilter, type LibraryFilters }
  from "./libraryQuery";
import { SelectionBar } from "./SelectionBar";
import { allSelected, deselect, noSelection, selectAll, selectRange, toggle, type Selection } from "./selection";
import "../../components/studio/studio.css";
import "./library.css";

export default function LibraryPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const [view, setView] = useState<"grid" | "list">("grid");
  const [selection, setSelection] = useState<Selection>(noSelection);
  const [open, setOpen] = useState<string | null>(null);
  const [search, setSearch] = useState(filters.search ?? "");
  const found = useAssets(filters);
  const patch = usePatchAsset();

  const update = (change: Partial<LibraryFilters>) => setParams(paramsFromFilters(withFilter(filters, change)));
  const assets: Asset[] = found.data?.items ?? [];
  const visible = assets.map((a) => a.id);
  const total = found.data?.total ?? 0;
  const pages = pageCount(total, filters.page_size);
  const error = asApiError(found.error);
  const onSelect = (id: string, range: boolean) =>
    setSelection((s) => (range ? selectRange(s, visible, id) : toggle(s, id)));
  const props = { assets, selection, onSelect, onOpen: (a: Asset) => setOpen(a.id),
    onFavourite: (a: Asset) => patch.mutate({ id: a.id, favourite: !a.favourite }) };

  return (
    <div className="stack">
      <PageHeader title="Library">
        <form role="search" className="row lib-search" onSubmit={(e) => { e.preventDefault(); update({ search: search.trim() || undefined }); }}>
          <label htmlFor="library-search" className="visually-hidden">Search the library</label>
          <input id="library-search" type="search" value={search} placeholder="Search prompts, titles, tags, ids"
            onChange={(e) => setSearch(e.target.value)} aria-invalid={error?.fieldMessage("search") ? true : undefined} />
          <button type="submit">Search</button>
        </form>
      </PageHeader>
      <div className="lib-layout">
        <Collections filters={filters} onChange={update} />
        <section className="stack lib-main" aria-label="Assets">
          <div className="row lib-toolbar">
            <Filters filters={filters} onChange={update} error={(f) => error?.fieldMessage(f)} />
            <SortAndView filters={filters} onChange={update} view={view} onView={setView} />
          </div>
          <p className="muted" aria-live="polite">
            {found.isLoading ? "Loading…" : `${total} asset${total === 1 ? "" : "s"}`}
            {filters.trashed ? " in the trash" : ""}
            {activeFilterCount(filters) ? ` · ${activeFilterCount(filters)} filter(s)` : ""}
            {filters.search ? ` matching “${filters.search}”` : ""}
            {activeFilterCount(filters) || filters.search ? (
              <> · <button type="button" className="ghost small" onClick={() => { setSearch("");
                setParams(paramsFromFilters({ sort: filters.sort, page: 1, page_size: filters.page_size })); }}>
                Clear filters</button></>
            ) : null}
          </p>
          <ErrorBanner error={found.error} />
          <SelectionBar selection={selection} trashed={Boolean(filters.trashed)} onClear={() => setSelection(noSelection)}
            onDone={(removed) => setSelection((s) => deselect(s, removed))} allOnPage={allSelected(selection, visible)}
            onSelectPage={() => setSelection((s) => selectAll(s, visible))} />
          {patch.isError && <ErrorBanner error={patch.error} />}
          {assets.length ? (view === "grid" ? <AssetGrid {...props} /> : <AssetTable {...props} />)
            : !found.isLoading && <p className="empty">Nothing here yet.</p>}
          {pages > 1 && (
            <nav className="row lib-pages" aria-label="Pages">
              <button type="button" className="ghost" disabled={filters.page <= 1}
                onClick={() => update({ page: filters.page - 1 })}>Previous page</button>
              <span>Page {filters.page} of {pages}</span>
              <button type="button" className="ghost" disabled={filters.page >= pages}
                onClick={() => update({ page: filters.page + 1 })}>Next page</button>
            </nav>
          )}
        </section>
      </div>
      {open && <AssetDetails assetId={open} collectionId={filters.collection} onClose={() => setOpen(null)}
        onOpen={setOpen} />}
    </div>
  );
}
