// What the detail view offers for a batch in a given state, and how its counts read.
import { ROW_STATUSES, type Batch, type BatchState, type RowStatus } from "./types";
import type { BatchAction } from "./batchApi";

const ACTIONS_BY_STATE: Partial<Record<BatchState, BatchAction[]>> = {
  scheduled: ["cancel"],
  running: ["pause", "cancel"],
  paused: ["resume", "cancel"],
  completed_with_errors: ["retry"],
  failed: ["retry"],
  canceled: ["retry"],
};

export const ACTION_LABELS: Record<BatchAction, string> = {
  pause: "Pause", resume: "Resume", cancel: "Cancel batch", retry: "Retry failed rows",
};

/** The controls that make sense now: retry only when some row failed. */
export function availableActions(batch: Pick<Batch, "state" | "counts">): BatchAction[] {
  const actions = ACTIONS_BY_STATE[batch.state] ?? [];
  return actions.filter((a) => a !== "retry" || (batch.counts.failed ?? 0) > 0);
}

/** Non-zero counts, in the order rows move through. */
export function countEntries(counts: Partial<Record<RowStatus, number>>): [RowStatus, number][] {
  return ROW_STATUSES.flatMap((s): [RowStatus, number][] => (counts[s] ? [[s, counts[s] as number]] : []));
}

export function hasResults(batch: Pick<Batch, "state">): boolean {
  return batch.state !== "draft" && batch.state !== "confirming";
}

export function stateLabel(state: BatchState): string {
  return state.replace(/_/g, " ");
}
