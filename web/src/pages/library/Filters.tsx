// Every filter the library API has, kept in the URL.
import { useId } from "react";
import { useProviders } from "../../api/queries";
import { useSocialPlatforms } from "../../components/studio/studioApi";
import { MODULES, SORTS, TYPES, type LibraryFilters } from "./libraryQuery";

type Props = { filters: LibraryFilters; onChange: (change: Partial<LibraryFilters>) => void; error?: (field: string) => string | undefined };

export function Filters({ filters, onChange, error }: Props) {
  const id = useId();
  const providers = useProviders();
  const platforms = useSocialPlatforms();
  const models = (providers.data ?? []).flatMap((p) => p.models.map((m) => m.model));
  const text = (key: keyof LibraryFilters) => (filters[key] as string | undefined) ?? "";
  const set = (key: keyof LibraryFilters) => (value: string) => onChange({ [key]: value || undefined });
  const number = (key: "width" | "height") => (value: string) => onChange({ [key]: value ? Number(value) : undefined });
  const select = (key: keyof LibraryFilters, label: string, options: readonly string[], all = "Any") => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select id={`${id}-${key}`} value={text(key)} onChange={(e) => set(key)(e.target.value)}>
        <option value="">{all}</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
  return (
    <details className="lib-filters">
      <summary>Filters</summary>
      <div className="lib-filter-grid">
        {select("type", "Type", TYPES)}
        {select("module", "Made in", MODULES)}
        {select("provider", "Provider", (providers.data ?? []).map((p) => p.name))}
        {select("model", "Model", [...new Set(models)])}
        {select("platform", "Platform size", (platforms.data ?? []).map((p) => p.id))}
        <div className="field">
          <label htmlFor={`${id}-tag`}>Tag</label>
          <input id={`${id}-tag`} value={text("tag")} onChange={(e) => set("tag")(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From date</label>
          <input id={`${id}-from`} type="date" value={text("date_from")} onChange={(e) => set("date_from")(e.target.value)}
            aria-invalid={error?.("date_from") ? true : undefined} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To date</label>
          <input id={`${id}-to`} type="date" value={text("date_to")} onChange={(e) => set("date_to")(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-w`}>Width (px)</label>
          <input id={`${id}-w`} type="number" min={1} value={filters.width ?? ""} onChange={(e) => number("width")(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-h`}>Height (px)</label>
          <input id={`${id}-h`} type="number" min={1} value={filters.height ?? ""} onChange={(e) => number("height")(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-op`}>Operation id</label>
          <input id={`${id}-op`} value={text("operation_id")} onChange={(e) => set("operation_id")(e.target.value)} />
        </div>
      </div>
    </details>
  );
}

export function SortAndView({ filters, onChange, view, onView }: { filters: LibraryFilters;
  onChange: (change: Partial<LibraryFilters>) => void; view: "grid" | "list"; onView: (view: "grid" | "list") => void }) {
  const id = useId();
  return (
    <div className="row lib-sort">
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select id={`${id}-sort`} value={filters.sort} onChange={(e) => onChange({ sort: e.target.value as LibraryFilters["sort"] })}>
          {SORTS.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-size`}>Per page</label>
        <select id={`${id}-size`} value={filters.page_size} onChange={(e) => onChange({ page_size: Number(e.target.value) })}>
          {[24, 48, 96].map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      <div className="sk-segmented" role="group" aria-label="View">
        <button type="button" aria-pressed={view === "grid"} onClick={() => onView("grid")}>Grid</button>
        <button type="button" aria-pressed={view === "list"} onClick={() => onView("list")}>List</button>
      </div>
    </div>
  );
}
