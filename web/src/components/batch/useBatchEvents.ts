// The live view of one batch: its rows (loaded once, then updated by the stream) and its latest state.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { queryKeys } from "../../api/keys";
import { batchKeys, fetchAllRows } from "./batchApi";
import { followBatch, mergeRow } from "./batchStream";
import type { Batch, BatchRow } from "./types";

export type LiveState = "connecting" | "open" | "ended" | "error";

export interface LiveBatch {
  batch: Batch | undefined;
  rows: BatchRow[];
  state: LiveState;
  error: Error | undefined;
}

export function useBatchEvents(id: string): LiveBatch {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<LiveBatch>({ batch: undefined, rows: [], state: "connecting", error: undefined });

  useEffect(() => {
    const controller = new AbortController();
    setLive({ batch: undefined, rows: [], state: "connecting", error: undefined });
    const fail = (error: Error) => {
      if (!controller.signal.aborted) setLive((prev) => ({ ...prev, state: "error", error }));
    };
    fetchAllRows(id).then((rows) => {
      if (!controller.signal.aborted) setLive((prev) => ({ ...prev, rows: rows.reduce(mergeRow, prev.rows) }));
    }, fail);
    let lastState: string | undefined;
    followBatch(id, {
      onOpen: () => setLive((prev) => ({ ...prev, state: prev.state === "ended" ? "ended" : "open" })),
      onRow: (row) => setLive((prev) => ({ ...prev, rows: mergeRow(prev.rows, row) })),
      onBatch: (batch) => {
        setLive((prev) => ({ ...prev, batch }));
        queryClient.setQueryData(batchKeys.one(id), batch);
        if (batch.state !== lastState) {
          // a new state moves money (reserve, charge, release) and the list's badge
          void queryClient.invalidateQueries({ queryKey: queryKeys.balance });
          void queryClient.invalidateQueries({ queryKey: ["batches", "list"] });
        }
        lastState = batch.state;
      },
    }, controller.signal).then(() => {
      if (controller.signal.aborted) return;
      setLive((prev) => ({ ...prev, state: "ended" }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.billing });
      void queryClient.invalidateQueries({ queryKey: queryKeys.assets });
      void queryClient.invalidateQueries({ queryKey: batchKeys.all });
    }, fail);
    return () => controller.abort();
  }, [id, queryClient]);

  return live;
}
