// The user's batches, newest first, and their schedules with the next fire times.
import { useState } from "react";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { FireTimes, formatTime } from "./DraftReview";
import { useBatches, useSchedules } from "./batchApi";
import { stateLabel } from "./batchView";

export function BatchList({ onOpen }: { onOpen(id: string): void }) {
  const [page, setPage] = useState(1);
  const batches = useBatches(page);
  const data = batches.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;
  return (
    <section className="card stack" aria-labelledby="batches-title">
      <h2 id="batches-title">Your batches</h2>
      <ErrorBanner error={batches.error} />
      {data && !data.items.length ? <p className="muted">No batches yet: submit a file to start one.</p> : null}
      {data?.items.length ? (
        <ul className="batch-list">
          {data.items.map((b) => (
            <li key={b.id}>
              <button type="button" className="ghost batch-open" onClick={() => onOpen(b.id)}>
                <span className="visually-hidden">Open batch </span><strong>{b.name}</strong>
                <span className={`badge state-${b.state}`}>{stateLabel(b.state)}</span>
                <span className="muted">{b.total_rows} rows · {Math.round(b.progress * 100)}% ·{" "}
                  {formatTime(b.created_at)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {pages > 1 && (
        <div className="row">
          <button type="button" className="ghost" disabled={page <= 1} onClick={() => setPage(page - 1)}>Newer</button>
          <span>Page {page} of {pages}</span>
          <button type="button" className="ghost" disabled={page >= pages} onClick={() => setPage(page + 1)}>Older</button>
        </div>
      )}
      <Schedules />
    </section>
  );
}

function Schedules() {
  const schedules = useSchedules();
  const items = schedules.data?.items ?? [];
  if (!items.length) return null;
  return (
    <div className="stack">
      <h3>Schedules</h3>
      {items.map((s) => (
        <div key={s.id} className="batch-schedule">
          <p>
            <strong>{s.kind === "cron" ? `${String(s.spec.cron)} (${String(s.spec.timezone)})` : "Once"}</strong>{" "}
            <span className="badge">{s.state}</span>
          </p>
          <FireTimes times={s.next_fire_times} />
        </div>
      ))}
    </div>
  );
}
