// Control: steer generation with a sketch (drawn here or uploaded), a structure or a style reference.
import { useCallback, useMemo, useState } from "react";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { SketchPad, type SketchApi } from "../../components/mask/SketchPad";
import { ImagePicker } from "../../components/studio/ImagePicker";
import { OperationTracker } from "../../components/studio/OperationTracker";
import { PaidRun } from "../../components/studio/PaidRun";
import { ResultActions } from "../../components/studio/ResultActions";
import { OperationSettings } from "../../components/studio/OperationSettings";
import { appendFields, estimateParams, initialValues, missingRequired, type FieldValues }
  from "../../components/studio/fieldSchema";
import { appendImage, type ImageSource } from "../../components/studio/imageSource";
import { useOperationCatalogue } from "../../components/studio/studioApi";
import { useStudioRun } from "../../components/studio/useStudioRun";
import { localPath } from "../../components/library/assetsApi";
import { asApiError } from "../../api/errors";
import "../../components/studio/studio.css";

export default function ControlPage() {
  const catalogue = useOperationCatalogue("control");
  const [name, setName] = useState("sketch");
  const [drawing, setDrawing] = useState(true);
  const [sketch, setSketch] = useState<SketchApi | null>(null);
  const [image, setImage] = useState<ImageSource | null>(null);
  const [style, setStyle] = useState<ImageSource | null>(null);
  const [values, setValues] = useState<FieldValues>({});
  const [choice, setChoice] = useState("auto");
  const studio = useStudioRun("/api/image-studio/control/process");
  const onSketch = useCallback((api: SketchApi) => setSketch(api), []);

  const operation = catalogue.data?.find((o) => o.operation === name) ?? catalogue.data?.[0];
  if (operation && !Object.keys(values).length) setValues(initialValues(operation.fields));
  const usesPad = operation?.operation === "sketch" && drawing;
  const needsStyle = operation?.images.some((r) => r.field === "style_image");
  const [provider, model] = choice === "auto" ? ["auto", ""] : choice.split("|");
  const missing = operation ? missingRequired(values, operation.required) : [];
  const blocked = !operation ? "Loading…" : usesPad ? (sketch?.hasLines ? null : "Draw a sketch first.")
    : !image ? "Choose an image." : null;
  const blockedAll = blocked ?? (needsStyle && !style ? "Choose the style image."
    : missing.length ? `Fill in: ${missing.join(", ").replace(/_/g, " ")}.` : null);
  const estimate = useMemo(() => operation ? { kind: operation.kind, provider, model: model || undefined,
    params: estimateParams(values), roles: needsStyle ? ["image", "style_image"] : ["image"] } : null,
  [operation, provider, model, values, needsStyle]);

  async function run() {
    if (!operation) return;
    const form = new FormData();
    form.append("operation", operation.operation);
    if (usesPad && sketch) form.append("image", new File([(await sketch.exportPng()) as BlobPart], "sketch.png",
      { type: "image/png" }));
    else if (image) appendImage(form, "image", image);
    if (needsStyle && style) appendImage(form, "style_image", style);
    appendFields(form, { ...values, provider, model }, operation.fields);
    await studio.run(form);
  }

  const error = asApiError(studio.error);
  const output = studio.finished?.outputs[0];
  return (
    <div className="stack">
      <PageHeader title="Control" />
      {catalogue.isError && <ErrorBanner error={catalogue.error} />}
      <div className="tabs" role="group" aria-label="Control operation">
        {catalogue.data?.map((o) => (
          <button key={o.operation} type="button" aria-pressed={o.operation === operation?.operation}
            onClick={() => { setName(o.operation); setValues(initialValues(o.fields)); studio.reset(); }}>
            {o.title}
          </button>
        ))}
      </div>
      <div className="grid-2">
        <section className="card stack" aria-label="Input">
          {operation?.operation === "sketch" && (
            <div className="sk-segmented" role="group" aria-label="Sketch source">
              <button type="button" aria-pressed={drawing} onClick={() => setDrawing(true)}>Draw</button>
              <button type="button" aria-pressed={!drawing} onClick={() => setDrawing(false)}>Upload</button>
            </div>
          )}
          {usesPad ? <SketchPad onChange={onSketch} /> : (
            <ImagePicker label={operation?.operation === "style" ? "Style reference" : "Control image"} value={image}
              onChange={setImage} error={error?.fieldMessage("image")} />
          )}
          {needsStyle && <ImagePicker label="Style image" value={style} onChange={setStyle}
            error={error?.fieldMessage("style_image")} />}
          {usesPad && error?.fieldMessage("image") && <p className="field-error" role="alert">{error.fieldMessage("image")}</p>}
        </section>
        <section className="card stack" aria-label="Settings">
          {operation && (
            <OperationSettings operation={operation} values={values} choice={choice} onChoose={setChoice}
              error={error} onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))} />
          )}
          <ErrorBanner error={studio.error} fields={[...Object.keys(operation?.fields ?? {}), "image", "style_image"]} />
          <PaidRun estimate={blocked ? null : estimate} action="Generate" onRun={() => void run()}
            busy={studio.submitting || studio.running} blocked={blockedAll} />
          {studio.operationId && <OperationTracker operationId={studio.operationId} label={operation?.title ?? "Control"}
            onFinished={studio.onFinished} />}
        </section>
      </div>
      {output && studio.finished && (
        <section className="card stack" aria-label="Result">
          <h2>Result</h2>
          <img className="sk-result" src={localPath(output.url)} alt={`Result ${output.width}×${output.height}`} />
          <ResultActions operation={studio.finished} output={output} />
        </section>
      )}
    </div>
  );
}
