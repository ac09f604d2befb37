// Shapes of the batch answers, which the OpenAPI document leaves as plain objects (the batch service's views).

export type BatchState = "draft" | "confirming" | "scheduled" | "running" | "paused" | "completed"
  | "completed_with_errors" | "failed" | "canceled";
export type RowStatus = "invalid" | "skipped" | "pending" | "queued" | "running" | "succeeded" | "failed"
  | "canceled";

export const FINAL_BATCH_STATES: readonly BatchState[] = ["completed", "completed_with_errors", "failed", "canceled"];
export const ROW_STATUSES: readonly RowStatus[] = ["invalid", "skipped", "pending", "queued", "running",
  "succeeded", "failed", "canceled"];

export interface RowError {
  row: number;
  field: string;
  message: string;
}

export interface QuotaMap { [category: string]: number | "unlimited" | null }

/** One part of the total: rows and credits of one kind (or one provider). */
export interface PricePart {
  kind?: string;
  provider?: string;
  rows: number;
  credits: number;
}

export interface CostPreview {
  total_credits: number;
  by_kind: PricePart[];
  by_provider: PricePart[];
  plan: string;
  available_credits: number;
  spend_credits?: number;
  spend_cap_credits?: number | null;
  quotas_needed: QuotaMap;
  quotas_remaining: QuotaMap;
  covered: boolean;
  not_covered: { reason: string; message: string } | null;
  max_concurrency?: number;
}

export interface BatchCredits {
  reserved: number;
  charged: number;
  released: number;
  held: number;
}

export interface Batch {
  id: string;
  name: string;
  state: BatchState;
  concurrency: number;
  continue_on_error: boolean;
  schedule: Record<string, unknown> | null;
  schedule_id: string | null;
  total_rows: number;
  invalid_rows: number;
  counts: Partial<Record<RowStatus, number>>;
  progress: number;
  stop_reason: string | null;
  preview: CostPreview | null;
  credits: BatchCredits;
  created_at: string;
  updated_at?: string;
  finished_at: string | null;
}

/** POST /batches answers the draft plus its row errors (and, with a schedule, the next fire times). */
export interface Draft extends Batch {
  errors: RowError[];
  next_fire_times?: string[];
  webhook_secret?: string;
}

export interface BatchRow {
  row: number;
  name: string;
  kind: string;
  status: RowStatus;
  attempt: number;
  operation_id: string | null;
  errors: { field: string; message: string }[];
  error: string | null;
  asset_ids: string[];
  credits: number | null;
  updated_at: string;
}

export interface BatchSchedule {
  id: string;
  batch_id: string;
  kind: "at" | "cron";
  spec: Record<string, unknown>;
  state: string;
  next_fire_times: string[];
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}
