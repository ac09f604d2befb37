// Choose an input image: drop a file, browse for one, or pick from the library.
import { useId, useRef, useState, type DragEvent } from "react";
import { LibraryPicker } from "./LibraryPicker";
import { fromFile, measureImage, type ImageSource } from "./imageSource";
import { localPath, type Asset } from "../library/assetsApi";

type Props = {
  label: string;
  value: ImageSource | null;
  onChange: (source: ImageSource | null) => void;
  error?: string;
  accept?: string;
  /** Leave out the preview (the page already shows the image larger). */
  compact?: boolean;
};

export function ImagePicker({ label, value, onChange, error, accept = "image/png,image/jpeg,image/webp",
  compact = false }: Props) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);

  async function take(file: File | undefined) {
    if (!file) return;
    try {
      setProblem(null);
      onChange(await fromFile(file));
    } catch (e) {
      setProblem((e as Error).message);
    }
  }

  async function takeAsset(asset: Asset) {
    setPicking(false);
    const url = localPath(asset.url);
    const size = asset.width && asset.height ? { width: asset.width, height: asset.height } : await measureImage(url);
    onChange({ name: asset.title, url, assetId: asset.id, ...size });
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void take(event.dataTransfer.files[0]);
  }

  const shown = problem ?? error;
  return (
    <div className="sk-picker">
      <div className={`sk-drop${dragging ? " sk-drop-over" : ""}`} onDrop={onDrop}
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)}
        aria-describedby={shown ? `${id}-error` : undefined} data-testid={`drop-${label}`}>
        {value && compact ? (
          <p className="sk-chosen-name">{value.name} · {value.width}×{value.height}</p>
        ) : value ? (
          <figure className="sk-chosen">
            <img src={value.url} alt={`${label}: ${value.name}`} />
            <figcaption>{value.name} · {value.width}×{value.height}</figcaption>
          </figure>
        ) : (
          <p>Drop {label.toLowerCase()} here</p>
        )}
        <div className="sk-row">
          <button type="button" onClick={() => input.current?.click()}>
            {value ? `Replace ${label.toLowerCase()}` : `Upload ${label.toLowerCase()}`}
          </button>
          <button type="button" onClick={() => setPicking(true)}>From library</button>
          {value && <button type="button" onClick={() => onChange(null)}>Remove</button>}
        </div>
        <input ref={input} id={id} type="file" accept={accept} hidden aria-label={`${label} file`}
          onChange={(e) => { void take(e.target.files?.[0]); e.target.value = ""; }} />
      </div>
      {shown && <small id={`${id}-error`} className="field-error" role="alert">{shown}</small>}
      {picking && <LibraryPicker title={`Choose ${label.toLowerCase()}`} onPick={takeAsset}
        onClose={() => setPicking(false)} />}
    </div>
  );
}
