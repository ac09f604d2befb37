// Every operation of the user, newest first, filtered by status and kind, a page at a time.
import { useState } from "react";
import { Link } from "react-router";
import { type OperationFilters, useOperations } from "../../api/queries";
import type { OperationStatus } from "../../api/types";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { Field } from "../../components/form/Field";

const STATUSES: OperationStatus[] = ["queued", "approved", "running", "succeeded", "failed", "canceled", "rejected",
  "expired"];
const KINDS = ["create", "edit", "upscale", "control", "social", "transform"];
const PAGE_SIZE = 20;

export function OperationsHistory() {
  const [filters, setFilters] = useState<OperationFilters>({ page: 1, page_size: PAGE_SIZE });
  const operations = useOperations(filters);
  const pages = Math.max(1, Math.ceil((operations.data?.total ?? 0) / PAGE_SIZE));
  const change = (next: Partial<OperationFilters>) => setFilters((f) => ({ ...f, page: 1, ...next }));

  return (
    <div className="card stack">
      <h2>Operations</h2>
      <div className="row">
        <Field id="history-status" label="Status" name="status" error={operations.error}>
          <select value={filters.status ?? ""}
            onChange={(e) => change({ status: (e.target.value || undefined) as OperationStatus | undefined })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </Field>
        <Field id="history-kind" label="Kind" name="kind" error={operations.error}>
          <select value={filters.kind ?? ""} onChange={(e) => change({ kind: e.target.value || undefined })}>
            <option value="">Any kind</option>
            {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </Field>
      </div>
      <ErrorBanner error={operations.error} fields={["status", "kind"]} />
      <div className="table-wrap">
        <table data-testid="operations-table">
          <caption className="visually-hidden">Operations, newest first</caption>
          <thead>
            <tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Status</th>
              <th scope="col">Provider</th><th scope="col">Outputs</th><th scope="col">Credits</th></tr>
          </thead>
          <tbody>
            {(operations.data?.items ?? []).map((op) => (
              <tr key={op.operation_id}>
                <td>{new Date(op.created_at).toLocaleString()}</td>
                <td>{op.kind}</td>
                <td>
                  {op.status}
                  {op.error ? <div className="muted">{op.error.message}</div> : null}
                </td>
                <td>{op.provider}/{op.model}</td>
                <td>
                  {op.outputs.length ? (
                    <Link to={`/library?operation_id=${encodeURIComponent(op.operation_id)}`}>
                      {op.outputs.length} in library
                    </Link>
                  ) : "—"}
                </td>
                <td>
                  {op.cost.charged_credits === null ? "not settled yet" : `${op.cost.charged_credits} charged`}
                  <div className="muted">estimated {op.cost.estimated_credits}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {operations.data && operations.data.items.length === 0 ? <p className="empty">No operations match.</p> : null}
      <nav className="row" aria-label="Operation pages">
        <button type="button" className="ghost" disabled={filters.page <= 1}
          onClick={() => setFilters((f) => ({ ...f, page: f.page - 1 }))}>Previous page</button>
        <span aria-live="polite">Page {filters.page} of {pages}</span>
        <button type="button" className="ghost" disabled={filters.page >= pages}
          onClick={() => setFilters((f) => ({ ...f, page: f.page + 1 }))}>Next page</button>
      </nav>
    </div>
  );
}
