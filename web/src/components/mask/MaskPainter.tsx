// Paint where the image should change: brush and eraser, size, undo/redo per stroke, invert, clear,
// zoom and pan, and the overlay's opacity. The mask has the image's exact pixel size.
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { overlayPixels, type MaskBuffer, type Rect, type Tool } from "./maskBuffer";
import { useMaskEditor, type MaskEditor } from "./useMaskEditor";

type Props = {
  imageUrl: string;
  width: number;
  height: number;
  onEditor?: (editor: MaskEditor) => void;
  colour?: Colour;
};

type View = { zoom: number; x: number; y: number };
type Colour = [number, number, number];
// One constant: a new array each render would make a new draw callback, and so a new editor, every render.
const OVERLAY: Colour = [255, 40, 90];
const ZOOMS = { min: 0.25, max: 8 };

export function MaskPainter({ imageUrl, width, height, onEditor, colour = OVERLAY }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [tool, setTool] = useState<Tool | "pan">("brush");
  const [size, setSize] = useState(() => Math.max(4, Math.round(Math.max(width, height) / 20)));
  const [opacity, setOpacity] = useState(0.55);
  const [view, setView] = useState<View>({ zoom: 1, x: 0, y: 0 });
  const drag = useRef<{ pan: boolean; x: number; y: number } | null>(null);

  const draw = useCallback((rect: Rect | null, mask: MaskBuffer) => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    const area = rect ?? mask.full;
    if (!rect) context.clearRect(0, 0, mask.width, mask.height);
    if (area.width <= 0 || area.height <= 0) return;
    const pixels = overlayPixels(mask, area, colour);
    context.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, area.width, area.height), area.x, area.y);
  }, [colour]);

  const editor = useMaskEditor(width, height, draw);
  useEffect(() => onEditor?.(editor), [editor, onEditor]);

  const toImage = (event: { clientX: number; clientY: number }) => {
    const rect = canvas.current!.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / (rect.width || 1)) * width,
      y: ((event.clientY - rect.top) / (rect.height || 1)) * height,
    };
  };

  function onPointerDown(event: ReactPointerEvent<HTMLCanvasElement>) {
    event.currentTarget.setPointerCapture?.(event.pointerId);
    const pan = tool === "pan" || event.button === 1 || event.shiftKey;
    drag.current = { pan, x: event.clientX, y: event.clientY };
    if (!pan) editor.begin(tool as Tool, size, toImage(event));
  }

  function onPointerMove(event: ReactPointerEvent<HTMLCanvasElement>) {
    const current = drag.current;
    if (!current) return;
    if (current.pan) {
      setView((v) => ({ ...v, x: v.x + event.clientX - current.x, y: v.y + event.clientY - current.y }));
      drag.current = { ...current, x: event.clientX, y: event.clientY };
    } else {
      editor.move(toImage(event));
    }
  }

  function onPointerUp() {
    if (drag.current && !drag.current.pan) editor.end();
    drag.current = null;
  }

  const zoomBy = (factor: number) =>
    setView((v) => ({ ...v, zoom: Math.min(ZOOMS.max, Math.max(ZOOMS.min, v.zoom * factor)) }));

  const stage = useRef<HTMLDivElement>(null);
  const fit = useFitSize(stage, width, height);
  useEffect(() => {
    const node = stage.current;
    if (!node) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15);
    };
    node.addEventListener("wheel", onWheel, { passive: false });
    return () => node.removeEventListener("wheel", onWheel);
  }, []);

  function onKeyDown(event: React.KeyboardEvent) {
    const key = event.key.toLowerCase();
    const mod = event.ctrlKey || event.metaKey;
    if (mod && key === "z") {
      event.preventDefault();
      if (event.shiftKey) editor.redo();
      else editor.undo();
    } else if (mod && key === "y") {
      event.preventDefault();
      editor.redo();
    } else if (key === "b") setTool("brush");
    else if (key === "e") setTool("eraser");
    else if (key === "h") setTool("pan");
    else if (key === "[") setSize((s) => Math.max(1, Math.round(s / 1.25)));
    else if (key === "]") setSize((s) => Math.min(1000, Math.round(s * 1.25)));
    else if (key === "+" || key === "=") zoomBy(1.25);
    else if (key === "-") zoomBy(0.8);
    else if (key === "0") setView({ zoom: 1, x: 0, y: 0 });
  }

  const tools: [Tool | "pan", string][] = [["brush", "Brush"], ["eraser", "Eraser"], ["pan", "Pan"]];
  return (
    <div className="mp" onKeyDown={onKeyDown}>
      <div className="mp-toolbar" role="toolbar" aria-label="Mask tools">
        <div className="sk-segmented" role="group" aria-label="Tool">
          {tools.map(([value, text]) => (
            <button key={value} type="button" aria-pressed={tool === value} onClick={() => setTool(value)}>{text}</button>
          ))}
        </div>
        <label className="mp-range">
          <span>Brush size</span>
          <input type="range" min={1} max={Math.max(50, Math.round(Math.max(width, height) / 4))} value={size}
            onChange={(e) => setSize(Number(e.target.value))} />
          <output>{size}px</output>
        </label>
        <button type="button" onClick={editor.undo} disabled={!editor.canUndo}>Undo</button>
        <button type="button" onClick={editor.redo} disabled={!editor.canRedo}>Redo</button>
        <button type="button" onClick={editor.invert}>Invert</button>
        <button type="button" onClick={editor.clear} disabled={!editor.painted}>Clear</button>
        <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out">−</button>
        <span className="mp-zoom" aria-live="polite">{Math.round(view.zoom * 100)}%</span>
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => setView({ zoom: 1, x: 0, y: 0 })}>Fit</button>
        <label className="mp-range">
          <span>Overlay opacity</span>
          <input type="range" min={0.1} max={1} step={0.05} value={opacity}
            onChange={(e) => setOpacity(Number(e.target.value))} />
        </label>
      </div>
      <div ref={stage} className="mp-stage" tabIndex={0} style={{ aspectRatio: `${width} / ${height}` }}
        aria-label="Mask canvas: paint with a pointer; B brush, E eraser, H pan, [ and ] size, Ctrl+Z undo, Ctrl+Shift+Z redo, + and − zoom">
        <div className="mp-layer" style={{
          width: fit.width, height: fit.height,
          transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`,
        }}>
          <img src={imageUrl} alt="The image being edited" draggable={false} />
          <canvas ref={canvas} width={width} height={height} data-testid="mask-canvas"
            style={{ opacity, cursor: tool === "pan" ? "grab" : "crosshair" }}
            onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp} />
        </div>
      </div>
      <p className="field-hint" aria-live="polite">
        {editor.painted ? `${Math.round((editor.painted / (width * height)) * 1000) / 10}% of the image will change`
          : "Paint the area to change (white in the exported mask)."}
      </p>
    </div>
  );
}

/** The largest size with the image's aspect ratio that fits the stage, kept up to date as it resizes. */
function useFitSize(stage: React.RefObject<HTMLDivElement | null>, width: number, height: number) {
  const [box, setBox] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const node = stage.current;
    if (!node) return;
    const measure = () => setBox({ width: node.clientWidth, height: node.clientHeight });
    measure();
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    observer?.observe(node);
    return () => observer?.disconnect();
  }, [stage]);
  const scale = box.width && box.height ? Math.min(box.width / width, box.height / height) : 0;
  return scale ? { width: Math.floor(width * scale), height: Math.floor(height * scale) } : { width: "100%", height: "100%" };
}
