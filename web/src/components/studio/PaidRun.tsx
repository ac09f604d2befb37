// Every paid click shows its price first (billing's estimate, and whether the balance and plan cover it),
// then a button that says what it costs.
import { CostDisplay } from "../feedback/CostDisplay";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { useEstimate } from "../../api/queries";

export type KindEstimate = { kind: string; provider?: string; model?: string; units?: number };

type Props = {
  estimate: KindEstimate | null;
  action: string;
  onRun: () => void;
  busy?: boolean;
  /** Why the button is not ready yet (a missing input), shown instead of running. */
  blocked?: string | null;
};

export function PaidRun({ estimate, action, onRun, busy = false, blocked = null }: Props) {
  const price = useEstimate(estimate ? { provider: "auto", units: 1, ...estimate } : null);
  const data = price.data;
  const ready = Boolean(estimate && data && data.covered && !price.isError && !blocked);
  const credits = data ? ` · ${data.estimated_credits} credit${data.estimated_credits === 1 ? "" : "s"}` : "";
  return (
    <div className="stack sk-paid">
      <CostDisplay estimate={price.isError ? undefined : data} pending={price.isFetching} error={price.error} />
      {price.isError && <ErrorBanner error={price.error} title="No price:" />}
      {blocked && <p className="field-hint" aria-live="polite">{blocked}</p>}
      <button type="button" disabled={!ready || busy} onClick={onRun}>
        {busy ? "Starting…" : `${action}${credits}`}
      </button>
    </div>
  );
}
