// Click the image (or use the arrow keys) to set the point every crop keeps in view.
import type { KeyboardEvent, MouseEvent } from "react";
import { focalFromClick, type Focal } from "./cropMath";

type Props = { src: string; alt: string; focal: Focal | null; onChange: (focal: Focal | null) => void };

export function FocalPicker({ src, alt, focal, onChange }: Props) {
  function onClick(event: MouseEvent<HTMLDivElement>) {
    onChange(focalFromClick(event.clientX, event.clientY, event.currentTarget.getBoundingClientRect()));
  }
  function onKeyDown(event: KeyboardEvent) {
    const step = event.shiftKey ? 0.1 : 0.02;
    const at = focal ?? { x: 0.5, y: 0.5 };
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const clamp = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
    onChange({ x: clamp(at.x + move[0]), y: clamp(at.y + move[1]) });
  }
  const text = focal ? `Focal point at ${Math.round(focal.x * 100)}% across, ${Math.round(focal.y * 100)}% down`
    : "Focal point detected automatically";
  return (
    <div className="sp-focal" role="group" aria-label="Focal point">
      <div className="sp-focal-image" tabIndex={0} role="button" aria-label={`${text}. Click the image or use the arrow keys to move it.`}
        onClick={onClick} onKeyDown={onKeyDown} data-testid="focal-image">
        <img src={src} alt={alt} draggable={false} />
        {focal && <span className="sp-focal-mark" aria-hidden="true"
          style={{ left: `${focal.x * 100}%`, top: `${focal.y * 100}%` }} />}
      </div>
      <p className="field-hint" aria-live="polite">{text}.</p>
      {focal && <button type="button" className="ghost small" onClick={() => onChange(null)}>Detect automatically</button>}
    </div>
  );
}
