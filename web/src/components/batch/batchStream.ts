// Follows a batch live over its SSE endpoint (fetch, so the token stays in a header): `batch` carries the
// state, counts and credits, `row` each row that changed, `end` that the batch has ended with nothing held.
// A stream that drops early is opened again; its first events are the current state, so nothing is lost.
import { authFetch } from "../../api/client";
import { ApiError, errorFromResponse } from "../../api/errors";
import { readEventStream } from "../../api/sse";
import type { Batch, BatchRow } from "./types";

export interface BatchListener {
  onOpen(): void;
  onBatch(batch: Batch): void;
  onRow(row: BatchRow): void;
}

export function batchEventsUrl(id: string): string {
  return `/api/image-studio/batches/${encodeURIComponent(id)}/events`;
}

/** Rows kept in row order; a changed row replaces the one with its number (a newer attempt wins). */
export function mergeRow(rows: readonly BatchRow[], row: BatchRow): BatchRow[] {
  const at = rows.findIndex((r) => r.row === row.row);
  if (at === -1) return [...rows, row].sort((a, b) => a.row - b.row);
  const current = rows[at];
  if (current.attempt > row.attempt) return rows as BatchRow[];
  const next = rows.slice();
  next[at] = row;
  return next;
}

const pause = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** Resolves once the stream says `end` (or the batch is final and the stream closes); rejects on a 4xx. */
export async function followBatch(id: string, listener: BatchListener, signal: AbortSignal,
  maxReconnects = 20, delayMs = 1000): Promise<void> {
  let ended = false;
  for (let attempt = 0; !signal.aborted && !ended; attempt++) {
    try {
      const response = await authFetch(batchEventsUrl(id), { headers: { Accept: "text/event-stream" }, signal });
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.body) throw new Error("the event stream has no body");
      listener.onOpen();
      attempt = 0;
      await readEventStream(response.body, (message) => {
        if (message.event === "row") listener.onRow(JSON.parse(message.data) as BatchRow);
        else if (message.event === "batch") {
          listener.onBatch(JSON.parse(message.data) as Batch);
        } else if (message.event === "end") ended = true;
      }, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) throw error;
      if (signal.aborted) return;
      if (attempt >= maxReconnects) throw error;
    }
    // A final batch whose stream closed without `end` (e.g. still settling) is simply asked again.
    if (ended) return;
    await pause(delayMs, signal);
  }
}
