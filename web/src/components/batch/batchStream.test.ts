import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../../auth/tokenStore";
import { ApiError } from "../../api/errors";
import { followBatch, mergeRow } from "./batchStream";
import type { Batch, BatchRow } from "./types";

const row = (n: number, status: BatchRow["status"], attempt = 1): BatchRow => ({ row: n, name: `r${n}`,
  kind: "create", status, attempt, operation_id: null, errors: [], error: null, asset_ids: [], credits: null,
  updated_at: "" });
const batch = (state: Batch["state"]) => ({ id: "b1", state, counts: {}, credits: {} }) as unknown as Batch;
const sse = (...frames: string[]) => new Response(frames.join(""), { status: 200,
  headers: { "Content-Type": "text/event-stream" } });
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe("mergeRow", () => {
  it("keeps rows in order and replaces a row by its number", () => {
    let rows = [row(1, "pending"), row(3, "pending")];
    rows = mergeRow(rows, row(2, "queued"));
    rows = mergeRow(rows, row(3, "succeeded"));
    expect(rows.map((r) => [r.row, r.status])).toEqual([[1, "pending"], [2, "queued"], [3, "succeeded"]]);
  });

  it("never lets an older attempt overwrite a retried row", () => {
    const rows = [row(1, "running", 2)];
    expect(mergeRow(rows, row(1, "failed", 1))).toBe(rows);
  });
});

describe("followBatch", () => {
  const fetchMock = vi.fn();
  beforeEach(() => { vi.stubGlobal("fetch", fetchMock); setToken("t0ken"); });
  afterEach(() => { vi.unstubAllGlobals(); fetchMock.mockReset(); setToken(null); });

  it("sends the token in a header, reports rows and batches, and reconnects until `end`", async () => {
    fetchMock
      .mockResolvedValueOnce(sse(frame("row", row(1, "running")), frame("batch", batch("running"))))
      .mockResolvedValueOnce(sse(frame("row", row(1, "succeeded")), frame("batch", batch("completed")),
        frame("end", { state: "completed" })));
    const seen: string[] = [];
    await followBatch("b1", {
      onOpen: () => seen.push("open"),
      onRow: (r) => seen.push(`row ${r.row} ${r.status}`),
      onBatch: (b) => seen.push(`batch ${b.state}`),
    }, new AbortController().signal, 3, 1);
    expect(seen).toEqual(["open", "row 1 running", "batch running", "open", "row 1 succeeded", "batch completed"]);
    const [url, init] = fetchMock.mock.calls[0] as [URL, RequestInit];
    expect(String(url)).toMatch(/\/api\/image-studio\/batches\/b1\/events$/);
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer t0ken");
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("gives up at once on a 404, with the API's words", async () => {
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ detail: "no batch b1" }), { status: 404 }));
    const listener = { onOpen: vi.fn(), onRow: vi.fn(), onBatch: vi.fn() };
    const failure = followBatch("b1", listener, new AbortController().signal, 3, 1);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow("no batch b1");
    expect(listener.onOpen).not.toHaveBeenCalled();
  });
});
