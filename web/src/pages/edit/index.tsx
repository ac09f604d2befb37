// Edit: an image from an upload or the library, the operation's own fields, a painted mask where the
// operation takes one, the price before the click, live progress, and before/after.
import { useCallback, useMemo, useState } from "react";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { CompareSlider } from "../../components/compare/CompareSlider";
import { MaskPainter } from "../../components/mask/MaskPainter";
import type { MaskEditor } from "../../components/mask/useMaskEditor";
import { ImagePicker } from "../../components/studio/ImagePicker";
import { OperationTracker } from "../../components/studio/OperationTracker";
import { PaidRun } from "../../components/studio/PaidRun";
import { ResultActions } from "../../components/studio/ResultActions";
import { OperationSettings } from "../../components/studio/OperationSettings";
import { appendFields, estimateParams, initialValues, missingRequired, type FieldValues }
  from "../../components/studio/fieldSchema";
import { appendImage, type ImageSource } from "../../components/studio/imageSource";
import { useOperationCatalogue, type OperationInfo } from "../../components/studio/studioApi";
import { useAssetParam } from "../../components/studio/useAssetParam";
import { useStudioRun } from "../../components/studio/useStudioRun";
import { localPath } from "../../components/library/assetsApi";
import "../../components/studio/studio.css";

export default function EditPage() {
  const catalogue = useOperationCatalogue("edit");
  const [name, setName] = useState("inpaint");
  const [image, setImage] = useState<ImageSource | null>(null);
  const [extra, setExtra] = useState<Record<string, ImageSource | null>>({});
  const [values, setValues] = useState<FieldValues>({});
  const [choice, setChoice] = useState("auto");
  const [editor, setEditor] = useState<MaskEditor | null>(null);
  const studio = useStudioRun("/api/image-studio/edit/process");
  useAssetParam(setImage);

  const operations = catalogue.data ?? [];
  const operation = operations.find((o) => o.operation === name) ?? operations[0];
  const pick = useCallback((next: OperationInfo) => {
    setName(next.operation);
    setValues(initialValues(next.fields));
    setChoice("auto");
    studio.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (operation && !Object.keys(values).length && Object.keys(operation.fields).length) {
    setValues(initialValues(operation.fields));
  }

  const maskRole = operation?.images.find((r) => r.field === "mask");
  const otherRoles = operation?.images.filter((r) => r.field !== "image" && r.field !== "mask") ?? [];
  const [provider, model] = choice === "auto" ? ["auto", ""] : choice.split("|");
  const blocked = !operation ? "Loading the operations…"
    : !image ? "Choose an image to edit."
    : maskRole?.required && !editor?.painted ? "Paint the area to change on the image."
    : otherRoles.find((r) => r.required && !extra[r.field]) ? "Add the reference image."
    : missingRequired(values, operation.required).length
      ? `Fill in: ${missingRequired(values, operation.required).join(", ").replace(/_/g, " ")}.` : null;
  const painted = Boolean(editor?.painted);
  const roles = useMemo(() => ["image", ...(maskRole && painted ? ["mask"] : []),
    ...otherRoles.filter((r) => extra[r.field]).map((r) => r.field)], [maskRole, painted, otherRoles, extra]);
  const estimate = useMemo(() => operation ? { kind: operation.kind, provider, model: model || undefined,
    params: estimateParams(values), roles } : null, [operation, provider, model, values, roles]);

  async function run() {
    if (!operation || !image) return;
    const form = new FormData();
    form.append("operation", operation.operation);
    appendImage(form, "image", image);
    if (maskRole && editor?.painted) {
      form.append("mask", new File([(await editor.exportPng()) as BlobPart], "mask.png", { type: "image/png" }));
    }
    for (const role of otherRoles) if (extra[role.field]) appendImage(form, role.field, extra[role.field]!);
    appendFields(form, { ...values, provider, model }, operation.fields);
    await studio.run(form);
  }

  const apiError = studio.error as import("../../api/errors").ApiError | undefined;
  const output = studio.finished?.outputs[0];
  const fieldNames = [...Object.keys(operation?.fields ?? {}), "image", "image_asset_id", "mask", "operation",
    ...otherRoles.map((r) => r.field)];
  return (
    <div className="stack">
      <PageHeader title="Edit" />
      {catalogue.isError && <ErrorBanner error={catalogue.error} />}
      <div className="tabs" role="group" aria-label="Edit operation">
        {operations.map((o) => (
          <button key={o.operation} type="button" aria-pressed={o.operation === operation?.operation}
            onClick={() => pick(o)}>{o.title}</button>
        ))}
      </div>
      <div className="grid-2">
        <section className="card stack" aria-label="Image and mask">
          <ImagePicker label="Image" value={image} onChange={(next) => { setImage(next); studio.reset(); }}
            compact={Boolean(maskRole)}
            error={apiError?.fieldMessage("image") ?? apiError?.fieldMessage("image_asset_id")} />
          {image && maskRole && (
            <div className="stack">
              <h2>Mask {maskRole.required ? "" : "(optional)"}</h2>
              <MaskPainter key={image.url} imageUrl={image.url} width={image.width} height={image.height}
                onEditor={setEditor} />
              {apiError?.fieldMessage("mask") && <p className="field-error" role="alert">{apiError.fieldMessage("mask")}</p>}
            </div>
          )}
          {otherRoles.map((role) => (
            <ImagePicker key={role.field} label={role.description.replace(/^the /, "").replace(/^\w/, (c) => c.toUpperCase())}
              value={extra[role.field] ?? null} onChange={(next) => setExtra((e) => ({ ...e, [role.field]: next }))}
              error={apiError?.fieldMessage(role.field)} />
          ))}
        </section>
        <section className="card stack" aria-label={`${operation?.title ?? "Edit"} settings`}>
          {operation && (
            <OperationSettings operation={operation} values={values} choice={choice} onChoose={setChoice}
              error={apiError} onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))} />
          )}
          <ErrorBanner error={studio.error} fields={fieldNames} />
          <PaidRun estimate={estimate} action={operation?.title ?? "Run"} onRun={() => void run()}
            busy={studio.submitting || studio.running} blocked={blocked} />
          {studio.operationId && (
            <OperationTracker operationId={studio.operationId} label={operation?.title ?? "Edit"}
              onFinished={studio.onFinished} />
          )}
        </section>
      </div>
      {image && output && studio.finished && (
        <section className="card stack" aria-label="Result">
          <h2>Before and after</h2>
          <CompareSlider before={image.url} after={localPath(output.url)} aspect={(output.width ?? 1) / (output.height ?? 1)} />
          <p className="muted">{output.width}×{output.height} · {Math.round(output.bytes / 1024)} kB</p>
          <div className="row">
            <ResultActions operation={studio.finished} output={output} />
            <button type="button" className="ghost" onClick={() => {
              setImage({ name: `${image.name} (edited)`, url: localPath(output.url), assetId: output.asset_id,
                width: output.width ?? image.width, height: output.height ?? image.height });
              studio.reset();
            }}>Keep editing the result</button>
          </div>
        </section>
      )}
      {catalogue.isLoading && <p className="muted">Loading…</p>}
    </div>
  );
}
