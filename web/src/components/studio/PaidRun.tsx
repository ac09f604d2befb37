// Every paid click shows its price first (billing's estimate, and whether the balance and plan cover it),
// then a button that says what it costs.
import { CostDisplay } from "../feedback/CostDisplay";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { useEffect, useState } from "react";
import { useEstimate } from "../../api/queries";

/** What to price: the kind, the provider and model, the units, and the fields and input roles that will be
 * sent (whether a provider can do it, and at what price, can depend on them). */
export type KindEstimate = { kind: string; provider?: string; model?: string; units?: number;
  params?: Record<string, string | boolean>; roles?: string[] };

/** The value once it has stopped changing for `ms`: typing a prompt asks for one price, not one per key. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

type Props = {
  estimate: KindEstimate | null;
  action: string;
  onRun: () => void;
  busy?: boolean;
  /** Why the button is not ready yet (a missing input), shown instead of running. */
  blocked?: string | null;
};

export function PaidRun({ estimate, action, onRun, busy = false, blocked = null }: Props) {
  const settled = useSettled(estimate ? JSON.stringify({ provider: "auto", units: 1, ...estimate }) : null);
  const price = useEstimate(settled ? JSON.parse(settled) : null);
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
