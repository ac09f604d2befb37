// The submitted draft: its row errors, the price, when it would run; Confirm reserves and starts it.
import { useId, useState } from "react";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { CostPreview } from "./CostPreview";
import { RowErrorsTable } from "./RowErrorsTable";
import { useConfirmBatch } from "./batchApi";
import { confirmLabel, type ErrorLine } from "./rowErrors";
import type { Batch } from "./types";

interface DraftReviewProps {
  batch: Batch;
  errors: ErrorLine[];
  nextFireTimes?: string[];
  webhookSecret?: string;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function FireTimes({ times }: { times: string[] }) {
  if (!times.length) return null;
  return (
    <div>
      <h3>Next runs</h3>
      <ol className="plain-list" aria-label="Next fire times">
        {times.map((t) => <li key={t}><time dateTime={t}>{formatTime(t)}</time></li>)}
      </ol>
    </div>
  );
}

export function DraftReview({ batch, errors, nextFireTimes = [], webhookSecret }: DraftReviewProps) {
  const id = useId();
  const invalid = batch.invalid_rows;
  const valid = batch.total_rows - invalid;
  const [skipInvalid, setSkipInvalid] = useState(invalid > 0);
  const confirm = useConfirmBatch();
  const credits = batch.preview?.total_credits ?? 0;
  const blocked = !valid ? "No row is valid: fix the file and submit it again."
    : invalid && !skipInvalid ? "Tick “Skip invalid rows” or fix the file." : null;
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Review before it runs</h3>
      <p className="batch-summary">{batch.total_rows} rows: {valid} valid, {invalid} with errors.</p>
      <RowErrorsTable lines={errors} />
      <CostPreview preview={batch.preview} />
      <FireTimes times={nextFireTimes} />
      {webhookSecret ? (
        <p className="muted">Webhook signing secret (shown once): <code className="batch-secret">{webhookSecret}</code></p>
      ) : null}
      {invalid > 0 && (
        <label className="check">
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
          Skip invalid rows
        </label>
      )}
      <ErrorBanner error={confirm.error} />
      {blocked ? <p className="muted">{blocked}</p> : null}
      <div className="row">
        <button type="button" disabled={Boolean(blocked) || confirm.isPending}
          onClick={() => confirm.mutate({ id: batch.id, skipInvalid })}>
          {confirmLabel(valid, invalid, skipInvalid, credits)}
        </button>
      </div>
    </section>
  );
}
