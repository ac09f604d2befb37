// One batch, live: state and progress, counts per status, credits, controls, downloads and every row.
import { useId, useState } from "react";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { DraftReview } from "./DraftReview";
import { downloadResults, useBatch, useBatchAction } from "./batchApi";
import { ACTION_LABELS, availableActions, countEntries, hasResults, stateLabel } from "./batchView";
import { errorLines, errorLinesFromRows } from "./rowErrors";
import { useBatchEvents } from "./useBatchEvents";
import type { Batch, BatchRow, Draft } from "./types";

const ROWS_SHOWN = 100;

/** The stream's view or the one a control just answered, whichever the batch service wrote last. */
export function newer(a: Batch | undefined, b: Batch | undefined): Batch | undefined {
  if (!a || !b) return a ?? b;
  return (b.updated_at ?? "") > (a.updated_at ?? "") ? b : a;
}

export function BatchDetail({ id, draft, onClose }: { id: string; draft?: Draft; onClose(): void }) {
  const titleId = useId();
  const live = useBatchEvents(id);
  const fetched = useBatch(id);
  const batch = newer(live.batch, fetched.data) ?? (draft?.id === id ? draft : undefined);
  if (!batch) {
    return (
      <section className="card" aria-label="Batch">
        <ErrorBanner error={fetched.error ?? live.error} />
        {!fetched.error && <p>Loading the batch…</p>}
      </section>
    );
  }
  const mine = draft?.id === id ? draft : undefined;
  return (
    <section className="card stack" aria-labelledby={titleId}>
      <div className="page-header">
        <h2 id={titleId}>{batch.name}</h2>
        <button type="button" className="ghost" onClick={onClose}>Back to batches</button>
      </div>
      {batch.state === "draft" ? (
        <DraftReview batch={batch} nextFireTimes={mine?.next_fire_times} webhookSecret={mine?.webhook_secret}
          errors={mine ? errorLines(mine.errors) : errorLinesFromRows(live.rows)} />
      ) : (
        <BatchStatus batch={batch} rows={live.rows} />
      )}
      {live.state === "error" && <ErrorBanner error={live.error} title="Live updates stopped:" />}
    </section>
  );
}

function BatchStatus({ batch, rows }: { batch: Batch; rows: BatchRow[] }) {
  const action = useBatchAction();
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [shown, setShown] = useState(ROWS_SHOWN);
  const percent = Math.round(batch.progress * 100);
  async function download(format: "csv" | "zip") {
    setDownloadError(null);
    try {
      await downloadResults(batch.id, format);
    } catch (error) {
      setDownloadError(error);
    }
  }
  return (
    <div className="stack">
      <div className="progress-block" aria-live="polite">
        <div className="progress-label">
          <span>State: <strong data-testid="batch-state">{stateLabel(batch.state)}</strong></span>
          <span>{percent}%</span>
        </div>
        <progress max={100} value={percent} aria-label="Batch progress" />
        {batch.stop_reason ? <p className="field-error">{batch.stop_reason}</p> : null}
      </div>
      <dl className="batch-stats" aria-label="Rows by status">
        {countEntries(batch.counts).map(([status, n]) => (
          <div key={status} className={`stat status-${status}`}><dt>{status}</dt><dd>{n}</dd></div>
        ))}
      </dl>
      <dl className="batch-stats" aria-label="Credits">
        {(["reserved", "charged", "released", "held"] as const).map((k) => (
          <div key={k} className="stat"><dt>{k}</dt><dd data-testid={`credits-${k}`}>{batch.credits[k]}</dd></div>
        ))}
      </dl>
      <div className="row">
        {availableActions(batch).map((a) => (
          <button key={a} type="button" className={a === "cancel" ? "danger" : a === "retry" ? "" : "ghost"}
            disabled={action.isPending} onClick={() => action.mutate({ id: batch.id, action: a })}>
            {ACTION_LABELS[a]}
          </button>
        ))}
        {hasResults(batch) && <>
          <button type="button" className="ghost" onClick={() => void download("csv")}>Download results CSV</button>
          <button type="button" className="ghost" onClick={() => void download("zip")}>Download results ZIP</button>
        </>}
      </div>
      <ErrorBanner error={action.error ?? downloadError} />
      <RowsTable rows={rows.slice(0, shown)} />
      {rows.length > shown && (
        <button type="button" className="ghost" onClick={() => setShown(shown + ROWS_SHOWN)}>
          Show more rows ({rows.length - shown} more)
        </button>
      )}
    </div>
  );
}

function RowsTable({ rows }: { rows: BatchRow[] }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Rows, scrollable">
      <table aria-label="Rows" className="batch-rows">
        <thead>
          <tr><th scope="col">Row</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Status</th>
            <th scope="col">Credits</th><th scope="col">Result</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row} data-testid={`batch-row-${r.row}`}>
              <td>{r.row}</td><td>{r.name}</td><td>{r.kind}</td>
              <td><span className={`badge status-${r.status}`}>{r.status}</span></td>
              <td data-label="Credits">{r.credits ?? "—"}</td>
              <td><div className="batch-result">{r.error ?? (r.errors[0]?.message) ??
                (r.asset_ids.length ? `${r.asset_ids.length} output${r.asset_ids.length === 1 ? "" : "s"}` : "")}</div></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
