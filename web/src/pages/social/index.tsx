// Social: one image cut for many platform formats. Every crop and its safe zone is previewed in the
// browser before anything is paid for; a click on the image sets the focal point; all outputs download
// as one ZIP.
import { useId, useMemo, useState } from "react";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { Field } from "../../components/form/Field";
import { CropPreview } from "../../components/social/CropPreview";
import { FocalPicker } from "../../components/social/FocalPicker";
import type { CropMode, Focal } from "../../components/social/cropMath";
import { ImagePicker } from "../../components/studio/ImagePicker";
import { OperationTracker } from "../../components/studio/OperationTracker";
import { PaidRun } from "../../components/studio/PaidRun";
import { appendImage, type ImageSource } from "../../components/studio/imageSource";
import { useSocialPlatforms } from "../../components/studio/studioApi";
import { useAssetParam } from "../../components/studio/useAssetParam";
import { useStudioRun } from "../../components/studio/useStudioRun";
import { localPath } from "../../components/library/assetsApi";
import { asApiError } from "../../api/errors";
import "../../components/studio/studio.css";
import "../../components/social/social.css";

const MODES: [CropMode, string][] = [["smart", "Smart (keep the subject)"], ["center", "Centre"],
  ["fit", "Fit (whole image, padded)"]];

export default function SocialPage() {
  const id = useId();
  const platforms = useSocialPlatforms();
  const [image, setImage] = useState<ImageSource | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [mode, setMode] = useState<CropMode>("smart");
  const [focal, setFocal] = useState<Focal | null>(null);
  const [outputFormat, setOutputFormat] = useState("jpeg");
  const [overlay, setOverlay] = useState(false);
  const studio = useStudioRun("/api/image-studio/social/optimize");
  useAssetParam(setImage);

  const formats = useMemo(() => (platforms.data ?? []).flatMap((p) => p.formats), [platforms.data]);
  const selected = formats.filter((f) => chosen.includes(f.id));
  const toggle = (formatId: string) =>
    setChosen((c) => (c.includes(formatId) ? c.filter((x) => x !== formatId) : [...c, formatId]));
  const blocked = !image ? "Choose an image." : !chosen.length ? "Pick at least one format." : null;
  const estimate = useMemo(() => ({ kind: "social.optimize" }), []);
  const error = asApiError(studio.error);

  async function run() {
    if (!image) return;
    const form = new FormData();
    appendImage(form, "image", image);
    form.append("formats", chosen.join(","));
    form.append("crop_mode", mode);
    form.append("output_format", outputFormat);
    form.append("safe_zone_overlay", overlay ? "true" : "false");
    form.append("zip", "true");
    if (focal && mode === "smart") {
      form.append("focal_x", String(focal.x));
      form.append("focal_y", String(focal.y));
    }
    await studio.run(form);
  }

  const outputs = studio.finished?.outputs ?? [];
  const zip = outputs.find((o) => o.content_type === "application/zip");
  const images = outputs.filter((o) => o.content_type.startsWith("image/"));
  return (
    <div className="stack">
      <PageHeader title="Social" />
      <div className="grid-2">
        <section className="card stack" aria-label="Image and focal point">
          <ImagePicker label="Image" value={image} onChange={(next) => { setImage(next); setFocal(null); studio.reset(); }}
            compact={mode === "smart"}
            error={error?.fieldMessage("image")} />
          {image && mode === "smart" && (
            <FocalPicker src={image.url} alt={`${image.name}: click to set the focal point`} focal={focal}
              onChange={setFocal} />
          )}
          {error?.fieldMessage("focal_x") && <p className="field-error" role="alert">{error.fieldMessage("focal_x")}</p>}
          {image && selected.length > 0 && (
            <section className="stack" aria-label="Crop previews">
              <h2>Previews <span className="muted">(dashed: the safe zone no interface covers)</span></h2>
              {mode === "smart" && !focal && (
                <p className="field-hint">Shown centred: without a focal point the service finds the subject itself.
                  Click the image to choose it.</p>
              )}
              <div className="sp-previews">
                {selected.map((f) => (
                  <CropPreview key={f.id} src={image.url} srcWidth={image.width} srcHeight={image.height} format={f}
                    mode={mode} focal={focal} boxSize={170} />
                ))}
              </div>
            </section>
          )}
        </section>
        <section className="card stack" aria-label="Formats and export">
          <h2>Formats</h2>
          <div className="sp-formats">
            {(platforms.data ?? []).map((platform) => {
              const ids = platform.formats.map((f) => f.id);
              const all = ids.every((x) => chosen.includes(x));
              return (
                <fieldset key={platform.id}>
                  <legend>
                    {platform.name}
                    <button type="button" className="ghost small" aria-label={`${all ? "None" : "All"} of ${platform.name}`}
                      onClick={() => setChosen((c) => all ? c.filter((x) => !ids.includes(x)) : [...new Set([...c, ...ids])])}>
                      {all ? "None" : "All"}
                    </button>
                  </legend>
                  {platform.formats.map((f) => (
                    <label key={f.id} className="check">
                      <input type="checkbox" checked={chosen.includes(f.id)} onChange={() => toggle(f.id)} />
                      {platform.name} {f.label || f.name} · {f.width}×{f.height}
                    </label>
                  ))}
                </fieldset>
              );
            })}
          </div>
          {error?.fieldMessage("formats") && <p className="field-error" role="alert">{error.fieldMessage("formats")}</p>}
          <fieldset>
            <legend>Crop</legend>
            {MODES.map(([value, text]) => (
              <label key={value} className="check">
                <input type="radio" name={`${id}-mode`} checked={mode === value} onChange={() => setMode(value)} />
                {text}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <Field id={`${id}-format`} label="File type" name="output_format" error={studio.error}>
              <select value={outputFormat} onChange={(e) => setOutputFormat(e.target.value)}>
                <option value="jpeg">JPEG</option><option value="png">PNG</option><option value="webp">WebP</option>
              </select>
            </Field>
            <label className="check">
              <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} />
              Draw the safe zones on the exports
            </label>
          </div>
          <ErrorBanner error={studio.error} fields={["image", "image_asset_id", "formats", "platforms", "focal_x",
            "focal_y", "output_format", "crop_mode"]} />
          <PaidRun estimate={image && chosen.length ? estimate : null}
            action={`Export ${chosen.length} format${chosen.length === 1 ? "" : "s"}`} onRun={() => void run()}
            busy={studio.submitting || studio.running} blocked={blocked} />
          {studio.operationId && <OperationTracker operationId={studio.operationId} label="Social export"
            onFinished={studio.onFinished} />}
        </section>
      </div>
      {studio.finished && outputs.length > 0 && (
        <section className="card stack" aria-label="Exports">
          <div className="row">
            <h2>Exports</h2>
            {zip && <a className="button" href={localPath(zip.url)} download="social-formats.zip">Download all (ZIP)</a>}
          </div>
          <div className="sp-outputs">
            {images.map((o, i) => (
              <figure key={o.asset_id || i}>
                <img src={localPath(o.url)} alt={`Export ${o.width}×${o.height}`} loading="lazy" />
                <figcaption>{o.width}×{o.height} · {Math.round(o.bytes / 1024)} kB ·{" "}
                  <a href={localPath(o.url)} download>Download</a></figcaption>
              </figure>
            ))}
          </div>
        </section>
      )}
    </div>
  );
}
