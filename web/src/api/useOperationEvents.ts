// Follows one operation live over the gateway's SSE endpoint, with the bearer token in a header.
// The stream sends the full operation on every change and closes after a final status; if it drops
// earlier, the hook reconnects (the first event of a new stream is the current state, so nothing is lost).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { authFetch } from "./client";
import { ApiError, errorFromResponse } from "./errors";
import { queryKeys } from "./keys";
import { readEventStream } from "./sse";
import { FINAL_STATUSES, type Operation } from "./types";

export type StreamState = "idle" | "connecting" | "open" | "done" | "error";

export interface OperationEvents {
  operation: Operation | undefined;
  state: StreamState;
  error: Error | undefined;
}

export interface StreamOptions {
  maxReconnects?: number;
  reconnectDelayMs?: number;
}

export function eventsUrl(operationId: string): string {
  return `/api/image-studio/operations/${encodeURIComponent(operationId)}/events`;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/** Streams an operation until it is final; calls back with each new state. Rejects with ApiError on 4xx. */
export async function followOperation(operationId: string, onOperation: (op: Operation) => void,
  onOpen: () => void, signal: AbortSignal, options: StreamOptions = {}): Promise<Operation | undefined> {
  const maxReconnects = options.maxReconnects ?? 5;
  let last: Operation | undefined;
  for (let attempt = 0; !signal.aborted; attempt++) {
    let failure: unknown;
    try {
      const response = await authFetch(eventsUrl(operationId), { headers: { Accept: "text/event-stream" }, signal });
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.body) throw new Error("the event stream has no body");
      onOpen();
      await readEventStream(response.body, (message) => {
        if (message.event !== "operation") return;
        last = JSON.parse(message.data) as Operation;
        onOperation(last);
      }, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) throw error;
      if (signal.aborted) break;
      failure = error;
    }
    if (last && FINAL_STATUSES.includes(last.status)) return awaitSettlement(last, onOperation, signal);
    if (attempt >= maxReconnects) throw failure ?? new Error("the event stream ended before the operation did");
    await sleep((options.reconnectDelayMs ?? 500) * (attempt + 1), signal);
  }
  return last;
}

function isSettled(operation: Operation): boolean {
  return operation.status === "rejected" || operation.cost.charged_credits !== null;
}

/** The stream ends at the final status; billing may settle a moment later. Polls until the charge is known,
 * so the credits the page shows are the ones billing took. */
export async function awaitSettlement(operation: Operation, onOperation: (op: Operation) => void,
  signal: AbortSignal, intervalMs = 400, attempts = 50): Promise<Operation> {
  let current = operation;
  for (let i = 0; i < attempts && !isSettled(current) && !signal.aborted; i++) {
    await sleep(intervalMs, signal);
    const response = await authFetch(`/api/image-studio/operations/${encodeURIComponent(current.operation_id)}`,
      { signal });
    if (!response.ok) throw await errorFromResponse(response);
    current = (await response.json()) as Operation;
    onOperation(current);
  }
  return current;
}

export function useOperationEvents(operationId: string | undefined, options?: StreamOptions): OperationEvents {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<OperationEvents>({ operation: undefined, state: "idle", error: undefined });

  useEffect(() => {
    if (!operationId) {
      setEvents({ operation: undefined, state: "idle", error: undefined });
      return;
    }
    const controller = new AbortController();
    let lastStatus: string | undefined;
    setEvents({ operation: undefined, state: "connecting", error: undefined });
    followOperation(
      operationId,
      (operation) => {
        setEvents((prev) => ({ ...prev, operation }));
        queryClient.setQueryData(queryKeys.operation(operationId), operation);
        // Approval holds credits: the balance shown elsewhere (pending, available) moves with the status.
        if (operation.status !== lastStatus) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.balance });
        }
        lastStatus = operation.status;
      },
      () => setEvents((prev) => ({ ...prev, state: "open" })),
      controller.signal,
      options,
    ).then(
      () => {
        if (controller.signal.aborted) return;
        setEvents((prev) => ({ ...prev, state: "done" }));
        // The charge and the outputs changed: balance, prices' coverage, history and library are stale now.
        void queryClient.invalidateQueries({ queryKey: queryKeys.billing });
        void queryClient.invalidateQueries({ queryKey: queryKeys.estimates }); // "covered" depends on the balance
        void queryClient.invalidateQueries({ queryKey: queryKeys.operations });
        void queryClient.invalidateQueries({ queryKey: queryKeys.assets });
      },
      (error: Error) => {
        if (!controller.signal.aborted) setEvents((prev) => ({ ...prev, state: "error", error }));
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [operationId, queryClient]);

  return events;
}
