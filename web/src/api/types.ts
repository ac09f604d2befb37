// Shapes of the gateway's JSON answers that its OpenAPI document leaves as plain objects.

export type OperationStatus =
  | "queued" | "approved" | "running" | "succeeded" | "failed" | "canceled" | "rejected" | "expired";

export const FINAL_STATUSES: readonly OperationStatus[] = ["succeeded", "failed", "canceled", "rejected", "expired"];

export interface OperationOutput {
  asset_id: string;
  url: string;
  content_type: string;
  width: number | null;
  height: number | null;
  bytes: number;
  duration_seconds: number | null;
}

export interface Operation {
  operation_id: string;
  kind: string;
  status: OperationStatus;
  progress: number;
  provider: string;
  model: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** charged_credits is null until billing has settled the operation. */
  cost: { estimated_credits: number; reserved_credits: number | null; charged_credits: number | null };
  error: { code: string; message: string; [key: string]: unknown } | null;
  outputs: OperationOutput[];
  request: Record<string, unknown>;
  source_asset_id: string | null;
  batch_id: string | null;
  partial: number | null;
}

export interface Accepted {
  operation_id: string;
  status: OperationStatus;
  status_url: string;
  events_url: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page?: number;
  page_size?: number;
}

export interface Template {
  id: string;
  name: string;
  platform: string;
  category: string;
  width: number;
  height: number;
  aspect_ratio: string;
  style_preset: string | null;
  quality: string;
  provider: string | null;
  model: string | null;
  use_cases: string[];
  description: string;
  prompt_scaffold: string | null;
}

export interface StylePreset {
  id: string;
  name: string;
  category: string;
  prompt_fragment: string;
  negative_fragment: string | null;
  stability_style: string | null;
}

export interface ProviderModel {
  model: string;
  kinds: string[];
  quality: string;
  unit: string;
  max_side: number;
  credits_per_unit: number;
  minimum_units: number;
  description: string;
}

export interface Provider {
  name: string;
  title: string;
  enabled: boolean;
  offline: boolean;
  capabilities: string[];
  models: ProviderModel[];
}

export interface Estimate {
  kind: string;
  provider: string;
  model: string;
  unit: string;
  units: number;
  credits_per_unit: number;
  estimated_credits: number;
  estimated_usd: number;
  available_credits: number;
  covered: boolean;
  would_reject: { reason: string; message: string } | null;
  width?: number;
  height?: number;
}

export interface Balance {
  plan: string;
  available_credits: number;
  pending_credits: number;
  period_end: string;
}

export interface Usage {
  plan: string;
  period_start: string;
  period_end: string;
  spend_credits: number;
  spend_cap_credits: number | null;
  quotas: Record<string, { limit: number | "unlimited"; used: number }>;
  by_kind: { kind: string; provider: string; operations: number; units: number; charged_credits: number;
    pending_credits: number }[];
}

export interface Persona {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface StudioConfig {
  environment: string;
  sign_in: "development" | "oidc";
  oidc: { issuer: string; client_id: string; scope: string; audience: string | null } | null;
}
