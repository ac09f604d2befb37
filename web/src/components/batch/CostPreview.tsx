// What a batch would cost, from billing's preview: total, by kind and provider, balance, quotas, covered.
import type { CostPreview as Preview } from "./types";

function Breakdown({ title, parts }: { title: string; parts: Record<string, number> }) {
  const entries = Object.entries(parts);
  if (!entries.length) return null;
  return (
    <div>
      <h4>{title}</h4>
      <ul className="plain-list">
        {entries.map(([name, credits]) => <li key={name}><span>{name}</span> <strong>{credits}</strong></li>)}
      </ul>
    </div>
  );
}

export function quotaLines(preview: Preview): string[] {
  return Object.entries(preview.quotas_needed ?? {}).map(([category, needed]) => {
    const left = preview.quotas_remaining?.[category];
    return `${category}: ${needed} needed, ${left === null || left === undefined ? "no limit" : `${left} left`}`;
  });
}

export function CostPreview({ preview }: { preview: Preview | null }) {
  if (!preview) {
    return <section className="cost" aria-label="Cost preview"><p>No valid rows to price.</p></section>;
  }
  return (
    <section className={`cost stack ${preview.covered ? "cost-ok" : "cost-short"}`} aria-label="Cost preview">
      <div>
        <span className="cost-amount" data-testid="batch-total">{preview.total_credits} credits</span>{" "}
        <span className="muted">for the valid rows · {preview.available_credits} available on the {preview.plan} plan</span>
      </div>
      <p role="status" data-testid="batch-covered">
        {preview.covered ? "Covered: your balance and quotas allow this batch."
          : `Not covered: ${preview.not_covered?.message ?? preview.not_covered?.reason ?? "unknown reason"}`}
      </p>
      <div className="batch-breakdown">
        <Breakdown title="By kind" parts={preview.by_kind} />
        <Breakdown title="By provider" parts={preview.by_provider} />
        <div>
          <h4>Quotas</h4>
          <ul className="plain-list">{quotaLines(preview).map((line) => <li key={line}>{line}</li>)}</ul>
        </div>
      </div>
    </section>
  );
}
