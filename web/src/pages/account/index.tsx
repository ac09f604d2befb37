// Account: balance and pending credits, this period's usage against the plan's quotas, and the history of
// operations with filters.
import { useBalance, useUsage } from "../../api/queries";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { PageHeader } from "../../components/PageHeader";
import "./account.css";
import { OperationsHistory } from "./OperationsHistory";
import { quotaRows } from "./usage";

const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });

export default function AccountPage() {
  const balance = useBalance();
  const usage = useUsage();
  return (
    <section className="stack">
      <PageHeader title="Account" />
      <ErrorBanner error={balance.error ?? usage.error} />
      <div className="ac-summary">
        <div className="card">
          <h2>Balance</h2>
          <p className="ac-figure" data-testid="account-available">{balance.data?.available_credits ?? "…"}</p>
          <p className="muted">credits available</p>
        </div>
        <div className="card">
          <h2>Pending</h2>
          <p className="ac-figure" data-testid="account-pending">{balance.data?.pending_credits ?? "…"}</p>
          <p className="muted">credits held for running operations</p>
        </div>
        <div className="card">
          <h2>Plan</h2>
          <p className="ac-figure ac-plan" data-testid="account-plan">{balance.data?.plan ?? "…"}</p>
          <p className="muted">{balance.data ? `renews ${date(balance.data.period_end)}` : ""}</p>
        </div>
      </div>
      {usage.data ? (
        <div className="card stack">
          <h2>Usage this period</h2>
          <p className="muted">
            {date(usage.data.period_start)} – {date(usage.data.period_end)} · spent {usage.data.spend_credits} credits
            {usage.data.spend_cap_credits !== null ? ` of a ${usage.data.spend_cap_credits}-credit cap` : ""}
          </p>
          <div className="ac-quotas">
            {quotaRows(usage.data).map((q) => (
              <div key={q.category} className="ac-quota">
                <div className="progress-label">
                  <span className="ac-quota-name">{q.category}</span>
                  <span>{q.label}</span>
                </div>
                {q.limit !== null ? (
                  <progress max={q.limit} value={Math.min(q.used, q.limit)} aria-label={`${q.category} used`} />
                ) : null}
              </div>
            ))}
          </div>
          {usage.data.by_kind.length ? (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Usage by operation kind</caption>
                <thead>
                  <tr><th scope="col">Kind</th><th scope="col">Provider</th><th scope="col">Operations</th>
                    <th scope="col">Outputs</th><th scope="col">Charged</th><th scope="col">Pending</th></tr>
                </thead>
                <tbody>
                  {usage.data.by_kind.map((k) => (
                    <tr key={`${k.kind}/${k.provider}`}>
                      <td>{k.kind}</td><td>{k.provider}</td><td>{k.operations}</td><td>{k.units}</td>
                      <td>{k.charged_credits}</td><td>{k.pending_credits}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
      <OperationsHistory />
    </section>
  );
}
