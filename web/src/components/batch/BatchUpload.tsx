// Submit a batch: the rows file (and images ZIP), defaults, concurrency, schedule and notifications.
import { useId, useState, type FormEvent } from "react";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { Field, fieldError } from "../form/Field";
import { FileDrop } from "./FileDrop";
import { useSubmitBatch } from "./batchApi";
import { initialValues, ROW_FILE_TYPES, toFormData, validate, type BatchFormValues } from "./batchForm";
import type { Draft } from "./types";

const SHOWN_FIELDS = ["file", "images", "rows", "name", "defaults", "concurrency", "schedule", "notify"];

export function BatchUpload({ onSubmitted }: { onSubmitted(draft: Draft): void }) {
  const id = useId();
  const [values, setValues] = useState<BatchFormValues>(initialValues);
  const [checked, setChecked] = useState(false);
  const submit = useSubmitBatch();
  const problems = checked ? validate(values) : {};
  const set = <K extends keyof BatchFormValues>(key: K) => (value: BatchFormValues[K]) =>
    setValues((prev) => ({ ...prev, [key]: value }));
  // the browser's own checks first, then what the API said about the same field
  const problem = (name: string) => problems[name] ?? fieldError(submit.error, name);

  function send(event: FormEvent) {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(validate(values)).length) return;
    submit.mutate(toFormData(values), { onSuccess: (draft) => onSubmitted(draft) });
  }

  return (
    <form className="card stack batch-form" aria-label="New batch" onSubmit={send} noValidate>
      <h2>New batch</h2>
      <div className="batch-files">
        <FileDrop id={`${id}-file`} label="Rows file" accept={ROW_FILE_TYPES} file={values.file}
          onChange={set("file")} error={problem("file") ?? fieldError(submit.error, "rows")}
          hint="CSV, JSON array or JSONL: one operation per row (kind, prompt, ...). Drop it here or choose it." />
        <FileDrop id={`${id}-images`} label="Images ZIP (optional)" accept=".zip,application/zip"
          file={values.images} onChange={set("images")} error={problem("images")}
          hint="The files rows name in their image, mask or audio column." />
      </div>
      <div className="row">
        <Field id={`${id}-name`} label="Batch name" name="name" error={submit.error}>
          <input value={values.name} maxLength={200} onChange={(e) => set("name")(e.target.value)} />
        </Field>
        <Field id={`${id}-concurrency`} label="Concurrency" error={problem("concurrency")}
          hint="Rows in flight at once (default 4, at most your plan's limit).">
          <input type="number" min={1} max={64} inputMode="numeric" value={values.concurrency}
            onChange={(e) => set("concurrency")(e.target.value)} />
        </Field>
      </div>
      <Field id={`${id}-defaults`} label="Defaults (JSON)" error={problem("defaults")}
        hint='Fields every row gets unless it sets them, e.g. {"width": 256, "height": 256}.'>
        <textarea value={values.defaults} spellCheck={false} onChange={(e) => set("defaults")(e.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={values.continueOnError}
          onChange={(e) => set("continueOnError")(e.target.checked)} />
        Continue when a row fails
      </label>
      <ScheduleFields id={id} values={values} set={set} problem={problem} />
      <fieldset className="stack">
        <legend>Notify when it ends (optional)</legend>
        <div className="row">
          <Field id={`${id}-email`} label="Email" error={problem("notify.email")}>
            <input type="email" value={values.email} onChange={(e) => set("email")(e.target.value)} />
          </Field>
          <Field id={`${id}-webhook`} label="Webhook URL" error={problem("notify.webhook_url")}>
            <input type="url" value={values.webhookUrl} onChange={(e) => set("webhookUrl")(e.target.value)} />
          </Field>
        </div>
      </fieldset>
      <ErrorBanner error={submit.error} fields={SHOWN_FIELDS} />
      <div className="row">
        <button type="submit" disabled={submit.isPending}>
          {submit.isPending ? "Checking rows…" : "Check rows and price"}
        </button>
      </div>
    </form>
  );
}

interface ScheduleFieldsProps {
  id: string;
  values: BatchFormValues;
  set: <K extends keyof BatchFormValues>(key: K) => (value: BatchFormValues[K]) => void;
  problem(name: string): string | undefined;
}

function ScheduleFields({ id, values, set, problem }: ScheduleFieldsProps) {
  const modes = [["none", "Run when I confirm"], ["at", "Once, at a time"], ["cron", "Repeat (cron)"]] as const;
  return (
    <fieldset className="stack">
      <legend>Schedule</legend>
      <div className="row" role="radiogroup" aria-label="When to run">
        {modes.map(([mode, text]) => (
          <label key={mode} className="check">
            <input type="radio" name={`${id}-schedule`} checked={values.scheduleMode === mode}
              onChange={() => set("scheduleMode")(mode)} />
            {text}
          </label>
        ))}
      </div>
      {values.scheduleMode === "at" && (
        <Field id={`${id}-at`} label="Run at (your local time)" error={problem("schedule.at") ?? problem("schedule")}>
          <input type="datetime-local" value={values.at} onChange={(e) => set("at")(e.target.value)} />
        </Field>
      )}
      {values.scheduleMode === "cron" && (
        <div className="row">
          <Field id={`${id}-cron`} label="Cron" error={problem("schedule.cron") ?? problem("schedule")}
            hint="minute hour day month weekday, e.g. 0 9 * * MON">
            <input value={values.cron} spellCheck={false} onChange={(e) => set("cron")(e.target.value)} />
          </Field>
          <Field id={`${id}-tz`} label="Time zone" error={problem("schedule.timezone")}>
            <input value={values.timezone} onChange={(e) => set("timezone")(e.target.value)} />
          </Field>
          <Field id={`${id}-overlap`} label="If the last run is still going" error={problem("schedule.overlap")}>
            <select value={values.overlap} onChange={(e) => set("overlap")(e.target.value as "skip" | "allow")}>
              <option value="skip">Skip this run</option>
              <option value="allow">Run anyway</option>
            </select>
          </Field>
        </div>
      )}
    </fieldset>
  );
}
