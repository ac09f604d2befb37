// A sketch for sketch-to-image: dark lines on white, with the mask painter's undo/redo per stroke.
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { MaskBuffer, overlayPixels, type Rect } from "./maskBuffer";
import { encodeMaskPng } from "./pngEncode";
import { useMaskEditor } from "./useMaskEditor";

export type SketchApi = { hasLines: boolean; exportPng: () => Promise<Uint8Array> };

type Props = { size?: number; onChange: (sketch: SketchApi) => void };

/** The sketch as an image: lines black on white (the buffer marks lines with 255). */
export async function sketchPng(mask: MaskBuffer): Promise<Uint8Array> {
  const paper = new MaskBuffer(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) paper.data[i] = 255 - mask.data[i];
  return encodeMaskPng(paper);
}

export function SketchPad({ size = 768, onChange }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [pen, setPen] = useState(6);
  const [erasing, setErasing] = useState(false);
  const draw = useCallback((rect: Rect | null, mask: MaskBuffer) => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    const area = rect ?? mask.full;
    if (!rect) context.clearRect(0, 0, mask.width, mask.height);
    if (area.width > 0 && area.height > 0) {
      context.clearRect(area.x, area.y, area.width, area.height);
      const pixels = overlayPixels(mask, area, [17, 17, 17]);
      context.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, area.width, area.height), area.x, area.y);
    }
  }, []);
  const editor = useMaskEditor(size, size, draw);
  useEffect(() => onChange({ hasLines: editor.painted > 0, exportPng: () => sketchPng(editor.mask) }),
    [editor, onChange]);

  const at = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / (rect.width || 1)) * size, y: ((event.clientY - rect.top) / (rect.height || 1)) * size };
  };
  const down = useRef(false);
  return (
    <div className="mp">
      <div className="mp-toolbar" role="toolbar" aria-label="Sketch tools">
        <div className="sk-segmented" role="group" aria-label="Tool">
          <button type="button" aria-pressed={!erasing} onClick={() => setErasing(false)}>Pen</button>
          <button type="button" aria-pressed={erasing} onClick={() => setErasing(true)}>Eraser</button>
        </div>
        <label className="mp-range">
          <span>Line width</span>
          <input type="range" min={1} max={60} value={pen} onChange={(e) => setPen(Number(e.target.value))} />
          <output>{pen}px</output>
        </label>
        <button type="button" onClick={editor.undo} disabled={!editor.canUndo}>Undo</button>
        <button type="button" onClick={editor.redo} disabled={!editor.canRedo}>Redo</button>
        <button type="button" onClick={editor.clear} disabled={!editor.painted}>Clear</button>
      </div>
      <canvas ref={canvas} width={size} height={size} className="sk-sketch" data-testid="sketch-canvas"
        aria-label="Sketch pad: draw with a pointer" role="img"
        onPointerDown={(e) => { e.currentTarget.setPointerCapture?.(e.pointerId); down.current = true;
          editor.begin(erasing ? "eraser" : "brush", pen, at(e)); }}
        onPointerMove={(e) => { if (down.current) editor.move(at(e)); }}
        onPointerUp={() => { down.current = false; editor.end(); }}
        onPointerCancel={() => { down.current = false; editor.end(); }} />
    </div>
  );
}
