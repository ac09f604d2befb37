// Transform: an image into a video (optionally with audio), a talking avatar (with speech), or a 3D model.
import { useId, useMemo, useState } from "react";
import { PageHeader } from "../../components/PageHeader";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { ImagePicker } from "../../components/studio/ImagePicker";
import { OperationTracker } from "../../components/studio/OperationTracker";
import { PaidRun } from "../../components/studio/PaidRun";
import { ResultActions } from "../../components/studio/ResultActions";
import { OperationSettings } from "../../components/studio/OperationSettings";
import { appendFields, estimateParams, initialValues, type FieldValues } from "../../components/studio/fieldSchema";
import { appendImage, type ImageSource } from "../../components/studio/imageSource";
import { useOperationCatalogue, type StudioPath } from "../../components/studio/studioApi";
import { useAssetParam } from "../../components/studio/useAssetParam";
import { useStudioRun } from "../../components/studio/useStudioRun";
import { localPath } from "../../components/library/assetsApi";
import { asApiError } from "../../api/errors";
import type { OperationOutput } from "../../api/types";
import "../../components/studio/studio.css";

type Audio = { file: File; seconds: number };

function measureAudio(file: File): Promise<Audio> {
  return new Promise((resolve, reject) => {
    const audio = document.createElement("audio");
    const url = URL.createObjectURL(file);
    audio.preload = "metadata";
    audio.onloadedmetadata = () => { resolve({ file, seconds: audio.duration }); URL.revokeObjectURL(url); };
    audio.onerror = () => reject(new Error(`${file.name} is not audio the browser can read (WAV or MP3)`));
    audio.src = url;
  });
}

export default function TransformPage() {
  const id = useId();
  const catalogue = useOperationCatalogue("transform");
  const [name, setName] = useState("image-to-video");
  const [image, setImage] = useState<ImageSource | null>(null);
  const [audio, setAudio] = useState<Audio | null>(null);
  const [audioProblem, setAudioProblem] = useState<string | null>(null);
  const [values, setValues] = useState<FieldValues>({});
  const [choice, setChoice] = useState("auto");
  const path = `/api/image-studio/transform/${name}` as StudioPath;
  const studio = useStudioRun(path);
  useAssetParam(setImage);

  const operation = catalogue.data?.find((o) => o.operation === name) ?? catalogue.data?.[0];
  if (operation && !Object.keys(values).length) setValues(initialValues(operation.fields));
  const [provider, model] = choice === "auto" ? ["auto", ""] : choice.split("|");
  const units = operation?.kind === "transform.video" ? Number(values.duration || 5)
    : operation?.kind === "transform.avatar" ? Math.max(1, Math.ceil(audio?.seconds ?? 0)) : 1;
  const blocked = !image ? "Choose an image." : operation?.audio === "required" && !audio
    ? "Add the speech audio (WAV or MP3)." : null;
  const estimate = useMemo(() => operation ? { kind: operation.kind, provider, model: model || undefined, units,
    params: estimateParams(values), roles: ["image"] } : null, [operation, provider, model, units, values]);

  async function run() {
    if (!operation || !image) return;
    const form = new FormData();
    appendImage(form, "image", image);
    if (audio && operation.audio !== "none") form.append("audio", audio.file, audio.file.name);
    appendFields(form, { ...values, provider, model }, operation.fields);
    await studio.run(form);
  }

  async function takeAudio(file: File | undefined) {
    setAudioProblem(null);
    if (!file) return setAudio(null);
    try {
      setAudio(await measureAudio(file));
    } catch (e) {
      setAudioProblem((e as Error).message);
    }
  }

  const error = asApiError(studio.error);
  const output = studio.finished?.outputs[0];
  const audioError = audioProblem ?? error?.fieldMessage("audio");
  return (
    <div className="stack">
      <PageHeader title="Transform" />
      {catalogue.isError && <ErrorBanner error={catalogue.error} />}
      <div className="tabs" role="group" aria-label="Transform operation">
        {catalogue.data?.map((o) => (
          <button key={o.operation} type="button" aria-pressed={o.operation === operation?.operation}
            onClick={() => { setName(o.operation); setValues(initialValues(o.fields)); setChoice("auto"); studio.reset(); }}>
            {o.title}
          </button>
        ))}
      </div>
      <div className="grid-2">
        <section className="card stack" aria-label="Inputs">
          <ImagePicker label="Image" value={image} onChange={setImage} error={error?.fieldMessage("image")} />
          {operation && operation.audio !== "none" && (
            <div className="field">
              <label htmlFor={`${id}-audio`}>Audio {operation.audio === "required" ? "(speech, required)" : "(optional soundtrack)"}</label>
              <input id={`${id}-audio`} type="file" accept="audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3"
                aria-invalid={audioError ? true : undefined} onChange={(e) => void takeAudio(e.target.files?.[0])} />
              {audio && <p className="field-hint">{audio.file.name} · {audio.seconds.toFixed(1)} s</p>}
              {audioError && <p className="field-error" role="alert">{audioError}</p>}
            </div>
          )}
        </section>
        <section className="card stack" aria-label="Settings">
          {operation && (
            <OperationSettings operation={operation} values={values} choice={choice} onChoose={setChoice}
              error={error} hidden={["focal_x", "focal_y"]} onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))} />
          )}
          <ErrorBanner error={studio.error} fields={[...Object.keys(operation?.fields ?? {}), "image", "audio"]} />
          <PaidRun estimate={image ? estimate : null} action={operation?.title ?? "Transform"} onRun={() => void run()}
            busy={studio.submitting || studio.running} blocked={blocked} />
          {studio.operationId && <OperationTracker operationId={studio.operationId} label={operation?.title ?? "Transform"}
            onFinished={studio.onFinished} />}
        </section>
      </div>
      {output && studio.finished && (
        <section className="card stack" aria-label="Result">
          <h2>Result</h2>
          <TransformResult output={output} />
          <ResultActions operation={studio.finished} output={output} />
        </section>
      )}
    </div>
  );
}

function TransformResult({ output }: { output: OperationOutput }) {
  const [meta, setMeta] = useState<{ w: number; h: number; s: number } | null>(null);
  const url = localPath(output.url);
  if (output.content_type.startsWith("video/")) {
    return (
      <div className="stack">
        <video className="sk-result" src={url} controls playsInline aria-label="Generated video"
          onLoadedMetadata={(e) => setMeta({ w: e.currentTarget.videoWidth, h: e.currentTarget.videoHeight,
            s: e.currentTarget.duration })} />
        <p data-testid="video-meta">
          {meta ? `${meta.w}×${meta.h} · ${meta.s.toFixed(1)} s`
            : `${output.width ?? "?"}×${output.height ?? "?"}${output.duration_seconds ? ` · ${output.duration_seconds} s` : ""}`}
          {" "}· {Math.round(output.bytes / 1024)} kB
        </p>
      </div>
    );
  }
  return (
    <p>
      3D model (glTF binary, {Math.round(output.bytes / 1024)} kB):{" "}
      <a className="button" href={url} download="image-studio-model.glb">Download the 3D model</a>
    </p>
  );
}
