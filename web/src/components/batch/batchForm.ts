// The submit form's values: checked here first (what the browser can know), then sent as the API's
// multipart fields. The API checks everything again and its words win.

export type ScheduleMode = "none" | "at" | "cron";

export interface BatchFormValues {
  name: string;
  file: File | null;
  images: File | null;
  defaults: string; // JSON object text
  concurrency: string;
  continueOnError: boolean;
  scheduleMode: ScheduleMode;
  at: string; // datetime-local value, in the browser's time zone
  cron: string;
  timezone: string;
  overlap: "skip" | "allow";
  email: string;
  webhookUrl: string;
}

export type FormProblems = Partial<Record<string, string>>;

export const ROW_FILE_TYPES = ".csv,.json,.jsonl,.ndjson,text/csv,application/json";
const ROW_FILE = /\.(csv|json|jsonl|ndjson)$/i;

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function initialValues(): BatchFormValues {
  return { name: "", file: null, images: null, defaults: "", concurrency: "", continueOnError: true,
    scheduleMode: "none", at: "", cron: "0 9 * * MON", timezone: browserTimeZone(), overlap: "skip",
    email: "", webhookUrl: "" };
}

export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function checkSchedule(values: BatchFormValues, now: Date, problems: FormProblems) {
  if (values.scheduleMode === "at") {
    const at = values.at ? new Date(values.at) : null;
    if (!at || Number.isNaN(at.getTime())) problems["schedule.at"] = "Choose the date and time to run the batch.";
    else if (at.getTime() <= now.getTime()) problems["schedule.at"] = "Choose a time in the future.";
  }
  if (values.scheduleMode === "cron") {
    if (values.cron.trim().split(/\s+/).filter(Boolean).length !== 5) {
      problems["schedule.cron"] = "cron must have five fields: minute hour day month weekday";
    }
    if (!values.timezone.trim()) problems["schedule.timezone"] = "Give a time zone, e.g. Europe/Berlin.";
    else if (!isKnownTimeZone(values.timezone.trim())) {
      problems["schedule.timezone"] = `unknown time zone '${values.timezone.trim()}'`;
    }
  }
}

/** Problems by the API's field name; empty when the form can be sent. */
export function validate(values: BatchFormValues, now = new Date()): FormProblems {
  const problems: FormProblems = {};
  if (!values.file) problems.file = "Choose a CSV, JSON or JSONL file of rows.";
  else if (!ROW_FILE.test(values.file.name)) problems.file = "The rows file must be .csv, .json or .jsonl.";
  if (values.images && !/\.zip$/i.test(values.images.name)) problems.images = "The images must be one .zip file.";
  if (values.defaults.trim()) {
    try {
      const parsed: unknown = JSON.parse(values.defaults);
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        problems.defaults = "Defaults must be a JSON object, e.g. {\"width\": 256}.";
      }
    } catch {
      problems.defaults = "Defaults must be valid JSON, e.g. {\"width\": 256}.";
    }
  }
  if (values.concurrency) {
    const n = Number(values.concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 64) problems.concurrency = "Concurrency is a whole number from 1 to 64.";
  }
  checkSchedule(values, now, problems);
  if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) {
    problems["notify.email"] = "Give an email address like team@example.com.";
  }
  if (values.webhookUrl && !/^https?:\/\/\S+$/i.test(values.webhookUrl)) {
    problems["notify.webhook_url"] = "The webhook must be an http(s) URL.";
  }
  return problems;
}

export function scheduleOf(values: BatchFormValues): Record<string, string> | null {
  if (values.scheduleMode === "at") return { at: new Date(values.at).toISOString() };
  if (values.scheduleMode === "cron") {
    return { cron: values.cron.trim().replace(/\s+/g, " "), timezone: values.timezone.trim(), overlap: values.overlap };
  }
  return null;
}

export function notifyOf(values: BatchFormValues): Record<string, string> | null {
  const notify: Record<string, string> = {};
  if (values.email.trim()) notify.email = values.email.trim();
  if (values.webhookUrl.trim()) notify.webhook_url = values.webhookUrl.trim();
  return Object.keys(notify).length ? notify : null;
}

/** The multipart body of POST /batches: the files, then JSON for the structured fields. */
export function toFormData(values: BatchFormValues): FormData {
  const form = new FormData();
  if (values.file) form.append("file", values.file, values.file.name);
  if (values.images) form.append("images", values.images, values.images.name);
  if (values.name.trim()) form.append("name", values.name.trim());
  if (values.defaults.trim()) form.append("defaults", values.defaults.trim());
  if (values.concurrency) form.append("concurrency", values.concurrency);
  form.append("continue_on_error", String(values.continueOnError));
  const schedule = scheduleOf(values);
  if (schedule) form.append("schedule", JSON.stringify(schedule));
  const notify = notifyOf(values);
  if (notify) form.append("notify", JSON.stringify(notify));
  return form;
}
