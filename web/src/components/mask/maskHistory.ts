/** Undo and redo per action: a stroke, an invert or a clear is one step. */
import type { MaskAction } from "./maskBuffer";

export type MaskHistory = { readonly done: readonly MaskAction[]; readonly undone: readonly MaskAction[] };

export const emptyHistory: MaskHistory = { done: [], undone: [] };

export function record(history: MaskHistory, action: MaskAction): MaskHistory {
  return { done: [...history.done, action], undone: [] };
}

export function undo(history: MaskHistory): MaskHistory {
  if (!history.done.length) return history;
  const last = history.done[history.done.length - 1];
  return { done: history.done.slice(0, -1), undone: [...history.undone, last] };
}

export function redo(history: MaskHistory): MaskHistory {
  if (!history.undone.length) return history;
  const next = history.undone[history.undone.length - 1];
  return { done: [...history.done, next], undone: history.undone.slice(0, -1) };
}
