// Before and after, one over the other: drag the divider (or use the arrow keys on it), zoom in to
// compare details, drag to pan when zoomed.
import { useId, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";

type Props = {
  before: string;
  after: string;
  beforeLabel?: string;
  afterLabel?: string;
  aspect?: number; // width / height of the shown area
  zoomable?: boolean;
};

const ZOOM_STEPS = [1, 2, 4, 8];

export function CompareSlider({ before, after, beforeLabel = "Before", afterLabel = "After", aspect,
  zoomable = false }: Props) {
  const id = useId();
  const [position, setPosition] = useState(50);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);

  const layer = { transform: `translate(${pan.x}px, ${pan.y}px) scale(${zoom})` };
  function onPointerDown(event: ReactPointerEvent) {
    if (zoom === 1) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY };
  }
  function onPointerMove(event: ReactPointerEvent) {
    const start = drag.current;
    if (!start) return;
    setPan((p) => ({ x: p.x + event.clientX - start.x, y: p.y + event.clientY - start.y }));
    drag.current = { x: event.clientX, y: event.clientY };
  }
  function setZoomLevel(next: number) {
    setZoom(next);
    if (next === 1) setPan({ x: 0, y: 0 });
  }

  return (
    <figure className="cmp">
      <div className="cmp-view" style={aspect ? { aspectRatio: String(aspect), width: `min(100%, calc(70vh * ${aspect}))` }
        : undefined}
        onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={() => { drag.current = null; }}
        data-testid="compare-view">
        <div className="cmp-layer" style={layer}>
          <img src={after} alt={afterLabel} draggable={false} />
        </div>
        <div className="cmp-layer cmp-before" style={{ ...layer, clipPath: `inset(0 ${100 - position}% 0 0)` }}>
          <img src={before} alt={beforeLabel} draggable={false} />
        </div>
        <div className="cmp-divider" style={{ left: `${position}%` }} aria-hidden="true" />
        <span className="cmp-tag cmp-tag-left">{beforeLabel}</span>
        <span className="cmp-tag cmp-tag-right">{afterLabel}</span>
      </div>
      <figcaption className="sk-row">
        <label htmlFor={id}>Compare</label>
        <input id={id} type="range" min={0} max={100} value={position}
          aria-valuetext={`${position}% ${beforeLabel.toLowerCase()}`}
          onChange={(e) => setPosition(Number(e.target.value))} />
        {zoomable && (
          <span className="sk-segmented" role="group" aria-label="Zoom">
            {ZOOM_STEPS.map((step) => (
              <button key={step} type="button" aria-pressed={zoom === step} onClick={() => setZoomLevel(step)}>
                {step}×
              </button>
            ))}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
