// Platform tabs, a search, and every template with its exact output size.
import { useMemo, useState } from "react";
import { useTemplates } from "../../api/queries";
import type { Template } from "../../api/types";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { useDebounced } from "../../hooks/useDebounced";

const PLATFORM_NAMES: Record<string, string> = {
  instagram: "Instagram", facebook: "Facebook", tiktok: "TikTok", x: "X / Twitter", linkedin: "LinkedIn",
  pinterest: "Pinterest", youtube: "YouTube", blog: "Blog", display_ads: "Display ads", ecommerce: "E-commerce",
  email: "Email", website: "Website",
};

export const platformName = (platform: string) => PLATFORM_NAMES[platform] ?? platform;

/** A box with the template's proportions, so the size is seen as well as read. */
function Shape({ template }: { template: Template }) {
  const scale = 44 / Math.max(template.width, template.height);
  return (
    <span className="cr-shape" aria-hidden="true">
      <span style={{ width: Math.round(template.width * scale), height: Math.round(template.height * scale) }} />
    </span>
  );
}

interface TemplatePickerProps {
  selected: string | null;
  onSelect: (template: Template | null) => void;
}

export function TemplatePicker({ selected, onSelect }: TemplatePickerProps) {
  const [platform, setPlatform] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const query = useDebounced(search, 250);
  const all = useTemplates(null, "");
  const shown = useTemplates(platform, query);
  const platforms = useMemo(() => [...new Set((all.data ?? []).map((t) => t.platform))], [all.data]);

  return (
    <fieldset className="cr-templates">
      <legend>Template</legend>
      <div className="tabs" role="group" aria-label="Platform">
        <button type="button" aria-pressed={platform === null} onClick={() => setPlatform(null)}>All</button>
        {platforms.map((p) => (
          <button key={p} type="button" aria-pressed={platform === p} onClick={() => setPlatform(p)}>
            {platformName(p)}
          </button>
        ))}
      </div>
      <label className="visually-hidden" htmlFor="template-search">Search templates</label>
      <input id="template-search" type="search" placeholder="Search templates (e.g. story, banner, product)"
        value={search} onChange={(e) => setSearch(e.target.value)} />
      <ErrorBanner error={shown.error} />
      <div className="cr-template-grid" role="radiogroup" aria-label="Templates">
        <button type="button" role="radio" aria-checked={selected === null} className="cr-template"
          onClick={() => onSelect(null)}>
          <span className="cr-template-name">No template</span>
          <span className="muted">choose size or aspect ratio yourself</span>
        </button>
        {(shown.data ?? []).map((t) => (
          <button key={t.id} type="button" role="radio" aria-checked={selected === t.id} className="cr-template"
            onClick={() => onSelect(t)} aria-label={`${t.name}, ${platformName(t.platform)}, ${t.width} by ${t.height}`}
            data-template-id={t.id}>
            <Shape template={t} />
            <span className="cr-template-name">{t.name}</span>
            <span className="muted">{platformName(t.platform)} · {t.width}×{t.height} · {t.aspect_ratio}</span>
          </button>
        ))}
        {shown.data && shown.data.length === 0 ? <p className="muted">No template matches.</p> : null}
      </div>
    </fieldset>
  );
}
