import type { Usage } from "../../api/types";

export interface QuotaRow {
  category: string;
  used: number;
  limit: number | null;
  label: string;
}

/** Each quota as "used of limit" (or "used, no limit"), in the order billing lists them. */
export function quotaRows(usage: Usage): QuotaRow[] {
  return Object.entries(usage.quotas).map(([category, { used, limit }]) => ({
    category,
    used,
    limit: limit === "unlimited" ? null : limit,
    label: limit === "unlimited" ? `${used} used, no limit` : `${used} of ${limit} used`,
  }));
}
