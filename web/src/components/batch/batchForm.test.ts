import { describe, expect, it } from "vitest";
import { initialValues, scheduleOf, toFormData, validate, type BatchFormValues } from "./batchForm";

const csv = new File(["kind,prompt\ncreate,a cat\n"], "rows.csv", { type: "text/csv" });
const NOW = new Date("2026-12-01T10:00:00Z");

function values(overrides: Partial<BatchFormValues> = {}): BatchFormValues {
  return { ...initialValues(), file: csv, timezone: "Europe/Berlin", ...overrides };
}

describe("batch form validation", () => {
  it("accepts a rows file and nothing else", () => {
    expect(validate(values(), NOW)).toEqual({});
  });

  it("needs a rows file of a known type, and a ZIP for images", () => {
    expect(validate(values({ file: null }), NOW).file).toMatch(/Choose a CSV/);
    expect(validate(values({ file: new File(["x"], "rows.xlsx") }), NOW).file).toMatch(/\.csv, \.json or \.jsonl/);
    expect(validate(values({ images: new File(["x"], "images.tar") }), NOW).images).toMatch(/\.zip/);
  });

  it("checks defaults are a JSON object and concurrency a whole number from 1 to 64", () => {
    expect(validate(values({ defaults: "[1]" }), NOW).defaults).toMatch(/JSON object/);
    expect(validate(values({ defaults: "{width: 1}" }), NOW).defaults).toMatch(/valid JSON/);
    expect(validate(values({ defaults: '{"width": 256}' }), NOW).defaults).toBeUndefined();
    expect(validate(values({ concurrency: "0" }), NOW).concurrency).toBeDefined();
    expect(validate(values({ concurrency: "2.5" }), NOW).concurrency).toBeDefined();
    expect(validate(values({ concurrency: "8" }), NOW).concurrency).toBeUndefined();
  });

  it("wants an `at` schedule in the future", () => {
    expect(validate(values({ scheduleMode: "at", at: "" }), NOW)["schedule.at"]).toMatch(/Choose the date/);
    expect(validate(values({ scheduleMode: "at", at: "2020-01-01T09:00" }), NOW)["schedule.at"]).toMatch(/future/);
    expect(validate(values({ scheduleMode: "at", at: "2030-01-01T09:00" }), NOW)["schedule.at"]).toBeUndefined();
  });

  it("wants five cron fields and a real time zone", () => {
    const cron = (cronText: string, timezone = "Europe/Berlin") =>
      validate(values({ scheduleMode: "cron", cron: cronText, timezone }), NOW);
    expect(cron("0 9 * *")["schedule.cron"]).toMatch(/five fields/);
    expect(cron("0 9 * * MON")).toEqual({});
    expect(cron("0 9 * * MON", "Mars/Olympus")["schedule.timezone"]).toBe("unknown time zone 'Mars/Olympus'");
    expect(cron("0 9 * * MON", " ")["schedule.timezone"]).toMatch(/Give a time zone/);
  });

  it("checks the notify email and webhook", () => {
    expect(validate(values({ email: "nope" }), NOW)["notify.email"]).toBeDefined();
    expect(validate(values({ webhookUrl: "ftp://x" }), NOW)["notify.webhook_url"]).toBeDefined();
    expect(validate(values({ email: "a@b.co", webhookUrl: "https://hooks.example.com/x" }), NOW)).toEqual({});
  });
});

describe("the multipart body", () => {
  it("sends the files and the API's field names, structured ones as JSON", () => {
    const images = new File(["zip"], "images.zip");
    const form = toFormData(values({ name: " spring ", images, defaults: '{"width": 256}', concurrency: "2",
      continueOnError: false, scheduleMode: "cron", cron: "0  9 * * MON", overlap: "allow",
      email: "team@example.com" }));
    expect((form.get("file") as File).name).toBe("rows.csv");
    expect((form.get("images") as File).name).toBe("images.zip");
    expect(form.get("name")).toBe("spring");
    expect(form.get("defaults")).toBe('{"width": 256}');
    expect(form.get("concurrency")).toBe("2");
    expect(form.get("continue_on_error")).toBe("false");
    expect(JSON.parse(form.get("schedule") as string)).toEqual(
      { cron: "0 9 * * MON", timezone: "Europe/Berlin", overlap: "allow" });
    expect(JSON.parse(form.get("notify") as string)).toEqual({ email: "team@example.com" });
  });

  it("leaves out what was not set", () => {
    const form = toFormData(values());
    expect([...form.keys()].sort()).toEqual(["continue_on_error", "file"]);
  });

  it("sends an `at` time as an ISO instant", () => {
    expect(scheduleOf(values({ scheduleMode: "at", at: "2030-01-01T09:00" }))).toEqual(
      { at: new Date("2030-01-01T09:00").toISOString() });
  });
});
