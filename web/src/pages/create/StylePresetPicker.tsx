// Style presets with a preview swatch each (the category's palette) and what the preset adds to the prompt.
import { useMemo, useState } from "react";
import { useStylePresets } from "../../api/queries";
import type { StylePreset } from "../../api/types";

interface Props {
  selected: string | null;
  templateDefault: string | null;
  onSelect: (id: string | null) => void;
}

export function StylePresetPicker({ selected, templateDefault, onSelect }: Props) {
  const presets = useStylePresets();
  const [category, setCategory] = useState<string>("all");
  const categories = useMemo(() => [...new Set((presets.data ?? []).map((p) => p.category))], [presets.data]);
  const shown = (presets.data ?? []).filter((p) => category === "all" || p.category === category);
  const current = presets.data?.find((p) => p.id === selected);

  return (
    <fieldset>
      <legend>Style preset</legend>
      <div className="tabs" role="group" aria-label="Style category">
        {["all", ...categories].map((c) => (
          <button key={c} type="button" aria-pressed={category === c} onClick={() => setCategory(c)}>
            {c === "all" ? "All styles" : c}
          </button>
        ))}
      </div>
      <div className="cr-presets" role="radiogroup" aria-label="Style presets">
        <button type="button" role="radio" aria-checked={selected === null} className="cr-preset"
          onClick={() => onSelect(null)}>
          <span className="cr-swatch cr-swatch-none" aria-hidden="true" />
          <span>{templateDefault ? `Template default (${templateDefault})` : "None"}</span>
        </button>
        {shown.map((p: StylePreset) => (
          <button key={p.id} type="button" role="radio" aria-checked={selected === p.id} className="cr-preset"
            onClick={() => onSelect(p.id)} title={p.prompt_fragment}>
            <span className={`cr-swatch cr-swatch-${p.category}`} aria-hidden="true" />
            <span>{p.name}</span>
          </button>
        ))}
      </div>
      {current ? <p className="field-hint">Adds: “{current.prompt_fragment}”</p> : null}
    </fieldset>
  );
}
