// A file picker that also takes a file dropped on it; the input keeps the accessible name.
import { useState, type DragEvent } from "react";

interface FileDropProps {
  id: string;
  label: string;
  accept: string;
  file: File | null;
  onChange(file: File | null): void;
  hint: string;
  error?: string;
}

export function FileDrop({ id, label, accept, file, onChange, hint, error }: FileDropProps) {
  const [over, setOver] = useState(false);
  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) onChange(dropped);
  }
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field file-drop${over ? " over" : ""}`} onDrop={drop}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
      data-testid={`${id}-drop`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept={accept} aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.files?.[0] ?? null)} />
      <p id={`${id}-hint`} className="field-hint">
        {file ? `${file.name} · ${Math.max(1, Math.round(file.size / 1024))} kB` : hint}
      </p>
      {file ? <button type="button" className="ghost" onClick={() => onChange(null)}
        aria-label={`Remove ${label.toLowerCase()}`}>Remove</button> : null}
      {error ? <p id={`${id}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}
