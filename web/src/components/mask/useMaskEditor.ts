// The mask editor's state: the pixel buffer (mutated in place while painting, for speed) and the
// per-action history that undo and redo replay.
import { useCallback, useMemo, useRef, useState } from "react";
import { applyAction, extendStroke, MaskBuffer, renderActions, type MaskAction, type Point, type Rect,
  type Tool } from "./maskBuffer";
import { emptyHistory, record, redo, undo, type MaskHistory } from "./maskHistory";
import { encodeMaskPng } from "./pngEncode";

type Stroke = Extract<MaskAction, { type: "stroke" }>;

export type MaskEditor = ReturnType<typeof useMaskEditor>;

export function useMaskEditor(width: number, height: number, onDraw: (rect: Rect | null, mask: MaskBuffer) => void) {
  const buffer = useRef<MaskBuffer>(new MaskBuffer(width, height));
  if (buffer.current.width !== width || buffer.current.height !== height) buffer.current = new MaskBuffer(width, height);
  const [history, setHistory] = useState<MaskHistory>(emptyHistory);
  const [painted, setPainted] = useState(0);
  const stroke = useRef<Stroke | null>(null);

  const rebuild = useCallback((next: MaskHistory) => {
    buffer.current = renderActions(width, height, next.done);
    setHistory(next);
    setPainted(buffer.current.countPainted());
    onDraw(null, buffer.current);
  }, [width, height, onDraw]);

  const commit = useCallback((action: MaskAction) => {
    const rect = applyAction(buffer.current, action);
    setHistory((h) => record(h, action));
    setPainted(buffer.current.countPainted());
    onDraw(action.type === "stroke" ? rect : null, buffer.current);
  }, [onDraw]);

  return useMemo(() => ({
    history,
    painted,
    get mask() { return buffer.current; },
    begin(tool: Tool, size: number, at: Point) {
      stroke.current = { type: "stroke", tool, size, points: [] };
      onDraw(extendStroke(buffer.current, stroke.current, at), buffer.current);
    },
    move(at: Point) {
      if (stroke.current) onDraw(extendStroke(buffer.current, stroke.current, at), buffer.current);
    },
    end() {
      const done = stroke.current;
      stroke.current = null;
      if (!done) return;
      setHistory((h) => record(h, done));
      setPainted(buffer.current.countPainted());
    },
    invert: () => commit({ type: "invert" }),
    clear: () => commit({ type: "clear" }),
    undo: () => rebuild(undo(history)),
    redo: () => rebuild(redo(history)),
    reset: () => rebuild(emptyHistory),
    canUndo: history.done.length > 0,
    canRedo: history.undone.length > 0,
    exportPng: () => encodeMaskPng(buffer.current),
  }), [history, painted, commit, rebuild, onDraw]);
}
