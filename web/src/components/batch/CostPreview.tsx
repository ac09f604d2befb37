// What a batch would cost, from billing's preview: total, by kind and provider, balance, quotas, covered.
import type { CostPreview as Preview, PricePart } from "./types";

export function partLines(parts: readonly PricePart[] | undefined, key: "kind" | "provider"): [string, string][] {
  return (parts ?? []).map((part) => [String(part[key] ?? ""),
    `${part.rows} row${part.rows === 1 ? "" : "s"} · ${part.credits} credit${part.credits === 1 ? "" : "s"}`]);
}

function Breakdown({ title, lines }: { title: string; lines: [string, string][] }) {
  if (!lines.length) return null;
  return (
    <div>
      <h4>{title}</h4>
      <ul className="plain-list">
        {lines.map(([name, text]) => <li key={name}><span>{name}</span> <strong>{text}</strong></li>)}
      </ul>
    </div>
  );
}

/** The quotas this batch uses (categories it needs nothing of are left out), against what is left. */
export function quotaLines(preview: Preview): string[] {
  return Object.entries(preview.quotas_needed ?? {}).filter(([, needed]) => Number(needed) > 0)
    .map(([category, needed]) => {
      const left = preview.quotas_remaining?.[category];
      const shown = left === null || left === undefined || left === "unlimited" ? "no limit" : `${left} left`;
      return `${category}: ${needed} needed, ${shown}`;
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
        <Breakdown title="By kind" lines={partLines(preview.by_kind, "kind")} />
        <Breakdown title="By provider" lines={partLines(preview.by_provider, "provider")} />
        <div>
          <h4>Quotas</h4>
          <ul className="plain-list">{quotaLines(preview).map((line) => <li key={line}>{line}</li>)}</ul>
        </div>
      </div>
    </section>
  );
}
