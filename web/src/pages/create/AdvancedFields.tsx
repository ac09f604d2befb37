// Size or aspect ratio (unless a template fixes the size), quality, negative prompt and sampler settings.
import type { Template } from "../../api/types";
import { Field } from "../../components/form/Field";
import { ASPECT_RATIOS, OUTPUT_FORMATS, QUALITIES, type CreateForm } from "./form";

interface Props {
  form: CreateForm;
  set: (changes: Partial<CreateForm>) => void;
  errorFor: (field: string) => string | undefined;
  template: Template | null;
}

export function AdvancedFields({ form, set, errorFor, template }: Props) {
  return (
    <details className="cr-advanced">
      <summary>Advanced</summary>
      <div className="stack">
        <Field id="create-negative" label="Negative prompt" name="negative_prompt" error={errorFor("negative_prompt")}>
          <textarea value={form.negativePrompt} onChange={(e) => set({ negativePrompt: e.target.value })}
            placeholder="What to keep out, e.g. text, watermark, blur" />
        </Field>
        {template ? (
          <p className="muted">The template fixes the size: {template.width}×{template.height}.</p>
        ) : (
          <div className="row">
            <Field id="create-aspect" label="Aspect ratio" name="aspect_ratio" error={errorFor("aspect_ratio")}>
              <select value={form.aspectRatio} onChange={(e) => set({ aspectRatio: e.target.value })}>
                <option value="">1:1 unless a size is given</option>
                {ASPECT_RATIOS.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </Field>
            <Field id="create-width" label="Width" name="width" error={errorFor("width")}>
              <input type="number" min={64} max={4096} value={form.width} onChange={(e) => set({ width: e.target.value })} />
            </Field>
            <Field id="create-height" label="Height" name="height" error={errorFor("height")}>
              <input type="number" min={64} max={4096} value={form.height}
                onChange={(e) => set({ height: e.target.value })} />
            </Field>
          </div>
        )}
        <div className="row">
          <Field id="create-quality" label="Quality" name="quality" error={errorFor("quality")}>
            <select value={form.quality} onChange={(e) => set({ quality: e.target.value })}>
              <option value="">{template ? `template's (${template.quality})` : "standard"}</option>
              {QUALITIES.map((q) => <option key={q} value={q}>{q}</option>)}
            </select>
          </Field>
          <Field id="create-guidance" label="Guidance scale" name="guidance_scale" error={errorFor("guidance_scale")}>
            <input type="number" min={0} max={30} step={0.5} value={form.guidanceScale}
              onChange={(e) => set({ guidanceScale: e.target.value })} />
          </Field>
          <Field id="create-steps" label="Steps" name="steps" error={errorFor("steps")}>
            <input type="number" min={1} max={150} value={form.steps} onChange={(e) => set({ steps: e.target.value })} />
          </Field>
          <Field id="create-format" label="File format" name="output_format" error={errorFor("output_format")}>
            <select value={form.outputFormat} onChange={(e) => set({ outputFormat: e.target.value })}>
              {OUTPUT_FORMATS.map((f) => <option key={f} value={f}>{f.toUpperCase()}</option>)}
            </select>
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={form.enhancePrompt} onChange={(e) => set({ enhancePrompt: e.target.checked })} />
          Enhance the prompt (adds detail words for the chosen quality)
        </label>
      </div>
    </details>
  );
}
