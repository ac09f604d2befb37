// Upscale: the mode and target size, the price first, live progress, then before/after with zoom.
import { useId, useMemo, useState } from "react";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { Field } from "../../components/form/Field";
import { CompareSlider } from "../../components/compare/CompareSlider";
import { ImagePicker } from "../../components/studio/ImagePicker";
import { OperationTracker } from "../../components/studio/OperationTracker";
import { PaidRun } from "../../components/studio/PaidRun";
import { ResultActions } from "../../components/studio/ResultActions";
import { appendImage, type ImageSource } from "../../components/studio/imageSource";
import { useAssetParam } from "../../components/studio/useAssetParam";
import { useStudioRun } from "../../components/studio/useStudioRun";
import { localPath } from "../../components/library/assetsApi";
import "../../components/studio/studio.css";

const MODES = [
  ["auto", "Automatic: the best mode for the image's size"],
  ["fast", "Fast: 4× with no invented detail"],
  ["conservative", "Conservative: up to 4 megapixels, faithful"],
  ["creative", "Creative: re-imagines fine detail from a prompt"],
] as const;
const PRESETS = [["", "None"], ["web", "Web (2048 px long side)"], ["social", "Social (1080 px)"],
  ["print", "Print (300 dpi at a size)"]] as const;

export default function UpscalePage() {
  const id = useId();
  const [image, setImage] = useState<ImageSource | null>(null);
  const [mode, setMode] = useState<string>("auto");
  const [preset, setPreset] = useState("");
  const [target, setTarget] = useState("");
  const [printSize, setPrintSize] = useState({ w: "", h: "" });
  const [prompt, setPrompt] = useState("");
  const studio = useStudioRun("/api/image-studio/upscale");
  useAssetParam(setImage);

  const sized = mode === "auto" || mode === "creative";
  const estimate = useMemo(() => ({ kind: `upscale.${mode}` }), [mode]);
  const blocked = !image ? "Choose an image to upscale." : mode === "creative" && !prompt.trim()
    ? "Creative upscale needs a prompt." : null;

  async function run() {
    if (!image) return;
    const form = new FormData();
    appendImage(form, "image", image);
    form.append("mode", mode);
    if (sized && preset) form.append("preset", preset);
    if (sized && !preset && target) form.append("target_long_side", target);
    if (preset === "print" && printSize.w) form.append("print_width_in", printSize.w);
    if (preset === "print" && printSize.h) form.append("print_height_in", printSize.h);
    if (prompt.trim()) form.append("prompt", prompt.trim());
    await studio.run(form);
  }

  const output = studio.finished?.outputs[0];
  const error = studio.error;
  return (
    <div className="stack">
      <PageHeader title="Upscale" />
      <div className="grid-2">
        <section className="card stack" aria-label="Image">
          <ImagePicker label="Image" value={image} onChange={(next) => { setImage(next); studio.reset(); }}
            error={(error as { fieldMessage?: (f: string) => string | undefined } | undefined)?.fieldMessage?.("image")} />
        </section>
        <section className="card stack" aria-label="Upscale settings">
          <fieldset>
            <legend>Mode</legend>
            {MODES.map(([value, text]) => (
              <label key={value} className="check">
                <input type="radio" name={`${id}-mode`} value={value} checked={mode === value}
                  onChange={() => setMode(value)} />
                {text}
              </label>
            ))}
          </fieldset>
          {sized && (
            <div className="row">
              <Field id={`${id}-preset`} label="Size preset" name="preset" error={error}>
                <select value={preset} onChange={(e) => setPreset(e.target.value)}>
                  {PRESETS.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
                </select>
              </Field>
              {!preset && (
                <Field id={`${id}-target`} label="Long side (px)" name="target_long_side" error={error}>
                  <input type="number" min={64} max={8192} value={target} placeholder="automatic"
                    onChange={(e) => setTarget(e.target.value)} />
                </Field>
              )}
              {preset === "print" && (
                <>
                  <Field id={`${id}-pw`} label="Print width (in)" name="print_width_in" error={error}>
                    <input type="number" min={0.1} step={0.1} value={printSize.w}
                      onChange={(e) => setPrintSize((s) => ({ ...s, w: e.target.value }))} />
                  </Field>
                  <Field id={`${id}-ph`} label="Print height (in)" name="print_height_in" error={error}>
                    <input type="number" min={0.1} step={0.1} value={printSize.h}
                      onChange={(e) => setPrintSize((s) => ({ ...s, h: e.target.value }))} />
                  </Field>
                </>
              )}
            </div>
          )}
          {(mode === "creative" || mode === "conservative") && (
            <Field id={`${id}-prompt`} label={mode === "creative" ? "Prompt (required)" : "Prompt (optional)"}
              name="prompt" error={error}>
              <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </Field>
          )}
          <ErrorBanner error={error} fields={["image", "mode", "preset", "target_long_side", "print_width_in",
            "print_height_in", "prompt"]} />
          <PaidRun estimate={image ? estimate : null} action="Upscale" onRun={() => void run()}
            busy={studio.submitting || studio.running} blocked={blocked} />
          {studio.operationId && <OperationTracker operationId={studio.operationId} label="Upscale"
            onFinished={studio.onFinished} />}
        </section>
      </div>
      {image && output && studio.finished && (
        <section className="card stack" aria-label="Result">
          <h2>{image.width}×{image.height} → {output.width}×{output.height}</h2>
          <CompareSlider before={image.url} after={localPath(output.url)} zoomable
            aspect={(output.width ?? 1) / (output.height ?? 1)} />
          <ResultActions operation={studio.finished} output={output} />
        </section>
      )}
    </div>
  );
}
