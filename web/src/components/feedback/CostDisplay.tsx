// The price of the next click, and whether the balance and plan allow it, as billing quoted it.
import type { Estimate } from "../../api/types";

interface CostDisplayProps {
  estimate: Estimate | undefined;
  pending?: boolean;
  error?: unknown;
}

export function describeCost(estimate: Estimate): string {
  const units = estimate.units === 1 ? `1 ${estimate.unit}` : `${estimate.units} ${estimate.unit}s`;
  const credits = estimate.estimated_credits === 1 ? "1 credit" : `${estimate.estimated_credits} credits`;
  return `${credits} (≈ $${estimate.estimated_usd.toFixed(2)}) for ${units} at ` +
    `${estimate.credits_per_unit} each`;
}

export function coverage(estimate: Estimate): { covered: boolean; text: string } {
  if (estimate.covered) {
    return { covered: true, text: `Your balance of ${estimate.available_credits} credits covers it.` };
  }
  return { covered: false, text: estimate.would_reject?.message ?? "Your balance does not cover it." };
}

export function CostDisplay({ estimate, pending, error }: CostDisplayProps) {
  if (!estimate) {
    return (
      <div className="cost" aria-live="polite" data-testid="cost">
        {error ? "No price yet: fix the fields marked below." : pending ? "Pricing…" : "Fill in the form to see the price."}
      </div>
    );
  }
  const { covered, text } = coverage(estimate);
  return (
    <div className={`cost ${covered ? "cost-ok" : "cost-short"}`} aria-live="polite" data-testid="cost">
      <div className="cost-amount">
        <strong data-testid="cost-credits">{estimate.estimated_credits}</strong>
        {estimate.estimated_credits === 1 ? " credit" : " credits"}
        {pending ? <span className="muted"> (updating…)</span> : null}
      </div>
      <div className="muted">{describeCost(estimate)} · {estimate.provider}/{estimate.model}</div>
      <div data-testid="cost-coverage">{text}</div>
    </div>
  );
}
