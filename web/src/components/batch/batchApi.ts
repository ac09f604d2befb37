// Server state for batches: submit a file, confirm the draft, list and control batches, download results.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, authFetch, postForm, unwrap } from "../../api/client";
import { ApiError, errorFromResponse } from "../../api/errors";
import { queryKeys } from "../../api/keys";
import { saveBlob } from "../library/assetsApi";
import type { Batch, BatchRow, BatchSchedule, Draft, Paged } from "./types";

export const batchKeys = {
  all: ["batches"] as const,
  list: (page: number) => ["batches", "list", page] as const,
  one: (id: string) => ["batches", "one", id] as const,
  rows: (id: string) => ["batches", "rows", id] as const,
  schedules: ["batches", "schedules"] as const,
};

export type BatchAction = "pause" | "resume" | "cancel" | "retry";

/** The batch service words schedule and notify problems as {"detail": {"errors": [{field, message}]}};
 * this gives them the gateway's usual shape so that each shows next to the field it names. */
export function normaliseBatchError(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.problems.length) return error;
  const detail = (error.body as { detail?: unknown } | null)?.detail as { errors?: unknown } | undefined;
  const errors = detail && typeof detail === "object" && Array.isArray(detail.errors) ? detail.errors : null;
  if (!errors?.length) return error;
  const problems = errors.map((e: { field?: string; message?: string }) => ({
    field: String(e.field ?? ""), message: String(e.message ?? ""),
  }));
  return new ApiError(error.status, { message: problems.map((p) => p.message).join("; "), detail: problems });
}

export function useBatches(page = 1) {
  return useQuery({
    queryKey: batchKeys.list(page),
    queryFn: async () => (await unwrap(api.GET("/api/image-studio/batches", {
      params: { query: { page, page_size: 20 } },
    }))) as unknown as Paged<Batch>,
    placeholderData: keepPreviousData,
  });
}

export function useBatch(id: string | undefined) {
  return useQuery({
    queryKey: batchKeys.one(id ?? ""),
    queryFn: async () => (await unwrap(api.GET("/api/image-studio/batches/{batch_id}", {
      params: { path: { batch_id: id ?? "" } },
    }))) as unknown as Batch,
    enabled: Boolean(id),
  });
}

/** Every row of a batch (pages of 500), in row order: the live stream then updates them in place. */
export async function fetchAllRows(id: string): Promise<BatchRow[]> {
  const rows: BatchRow[] = [];
  for (let page = 1; ; page++) {
    const answer = (await unwrap(api.GET("/api/image-studio/batches/{batch_id}/rows", {
      params: { path: { batch_id: id }, query: { page, page_size: 500 } },
    }))) as unknown as Paged<BatchRow>;
    rows.push(...answer.items);
    if (rows.length >= answer.total || !answer.items.length) return rows;
  }
}

export function useSchedules() {
  return useQuery({
    queryKey: batchKeys.schedules,
    queryFn: async () => (await unwrap(api.GET("/api/image-studio/batch-schedules"))) as unknown as
      { items: BatchSchedule[] },
  });
}

export function useSubmitBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (form: FormData) => {
      try {
        return await postForm<Draft>("/api/image-studio/batches", form);
      } catch (error) {
        throw normaliseBatchError(error);
      }
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: batchKeys.all }),
  });
}

function invalidateAfterChange(queryClient: ReturnType<typeof useQueryClient>, batch: Batch) {
  queryClient.setQueryData(batchKeys.one(batch.id), batch);
  void queryClient.invalidateQueries({ queryKey: batchKeys.all });
  void queryClient.invalidateQueries({ queryKey: queryKeys.billing }); // reservations move the balance
}

export function useConfirmBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, skipInvalid }: { id: string; skipInvalid: boolean }) =>
      (await unwrap(api.POST("/api/image-studio/batches/{batch_id}/confirm", {
        params: { path: { batch_id: id } }, body: { skip_invalid: skipInvalid },
      }))) as unknown as Batch,
    onSuccess: (batch) => invalidateAfterChange(queryClient, batch),
  });
}

const ACTION_PATHS = {
  pause: "/api/image-studio/batches/{batch_id}/pause",
  resume: "/api/image-studio/batches/{batch_id}/resume",
  cancel: "/api/image-studio/batches/{batch_id}/cancel",
  retry: "/api/image-studio/batches/{batch_id}/retry",
} as const;

export function useBatchAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: BatchAction }) =>
      (await unwrap(api.POST(ACTION_PATHS[action], { params: { path: { batch_id: id } } }))) as unknown as Batch,
    onSuccess: (batch) => invalidateAfterChange(queryClient, batch),
  });
}

/** results.csv or results.zip with the bearer token (a plain link could not send it), saved by the browser. */
export async function downloadResults(id: string, format: "csv" | "zip"): Promise<void> {
  const response = await authFetch(`/api/image-studio/batches/${encodeURIComponent(id)}/results.${format}`);
  if (!response.ok) throw await errorFromResponse(response);
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `batch-${id}.${format}`;
  saveBlob(await response.blob(), name);
}
