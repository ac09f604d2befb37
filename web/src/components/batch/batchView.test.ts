import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { normaliseBatchError } from "./batchApi";
import { availableActions, countEntries } from "./batchView";
import { partLines, quotaLines } from "./CostPreview";
import type { CostPreview } from "./types";

describe("batch controls", () => {
  it("offers what the state allows, and retry only with failed rows", () => {
    expect(availableActions({ state: "running", counts: {} })).toEqual(["pause", "cancel"]);
    expect(availableActions({ state: "paused", counts: {} })).toEqual(["resume", "cancel"]);
    expect(availableActions({ state: "completed", counts: { succeeded: 3 } })).toEqual([]);
    expect(availableActions({ state: "completed_with_errors", counts: { failed: 1 } })).toEqual(["retry"]);
    expect(availableActions({ state: "canceled", counts: { canceled: 2 } })).toEqual([]);
    expect(availableActions({ state: "draft", counts: { pending: 2 } })).toEqual([]);
  });

  it("lists non-zero counts in the order rows move through", () => {
    expect(countEntries({ succeeded: 2, invalid: 1, running: 0, pending: 3 }))
      .toEqual([["invalid", 1], ["pending", 3], ["succeeded", 2]]);
  });

  it("reads quotas as needed and left", () => {
    const preview = { quotas_needed: { images: 3, edits: 0 }, quotas_remaining: { images: 47, edits: 10 } } as
      unknown as CostPreview;
    expect(quotaLines(preview)).toEqual(["images: 3 needed, 47 left"]);
    expect(quotaLines({ ...preview, quotas_remaining: { images: "unlimited" } })).toEqual(["images: 3 needed, no limit"]);
  });

  it("reads billing's parts of the total as rows and credits", () => {
    expect(partLines([{ kind: "create", rows: 3, credits: 3 }, { kind: "upscale", rows: 1, credits: 1 }], "kind"))
      .toEqual([["create", "3 rows · 3 credits"], ["upscale", "1 row · 1 credit"]]);
  });
});

describe("batch service errors", () => {
  it("places a schedule problem next to its field, in the API's words", () => {
    const raw = new ApiError(422, { detail: { errors: [
      { code: "bad_cron", field: "schedule.cron", message: "cron must have five fields: minute hour day month weekday" },
    ] } });
    const error = normaliseBatchError(raw) as ApiError;
    expect(error.fieldMessage("schedule.cron")).toBe("cron must have five fields: minute hour day month weekday");
    expect(error.status).toBe(422);
  });

  it("leaves errors the gateway already shaped alone", () => {
    const shaped = new ApiError(422, { message: "file: bad", detail: [{ field: "file", message: "file: bad" }] });
    expect(normaliseBatchError(shaped)).toBe(shaped);
    const refused = new ApiError(409, { detail: { reason: "insufficient_credits", message: "not enough credits" } });
    expect((normaliseBatchError(refused) as ApiError).message).toBe("not enough credits");
  });
});
