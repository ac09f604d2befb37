import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { BatchDetail } from "./BatchDetail";
import type { Batch, BatchRow } from "./types";

const running = { id: "b1", name: "spring", state: "running", total_rows: 2, invalid_rows: 0, progress: 0.5,
  counts: { running: 1, succeeded: 1 }, credits: { reserved: 2, charged: 1, released: 0, held: 1 },
  preview: null, stop_reason: null, created_at: "", finished_at: null } as unknown as Batch;
const row = (n: number, status: BatchRow["status"]): BatchRow => ({ row: n, name: `poster ${n}`, kind: "create",
  status, attempt: 1, operation_id: `op-${n}`, errors: [], error: null,
  asset_ids: status === "succeeded" ? ["a1"] : [], credits: status === "succeeded" ? 1 : null, updated_at: "" });
const ok = (data: unknown) => ({ data, response: new Response("{}", { status: 200 }) }) as never;
const stream = (...frames: [string, unknown][]) => new Response(frames.map(([event, data]) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(""), { status: 200 });

describe("BatchDetail", () => {
  afterEach(() => { vi.restoreAllMocks(); vi.unstubAllGlobals(); });

  it("shows live rows, counts and credits, and pauses the batch", async () => {
    vi.spyOn(api, "GET").mockImplementation((async (path: string) => path.endsWith("/rows")
      ? ok({ items: [row(1, "pending"), row(2, "pending")], total: 2, page: 1, page_size: 500 })
      : ok(running)) as never);
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(stream(["row", row(1, "succeeded")], ["row", row(2, "running")],
      ["batch", running])));
    const post = vi.spyOn(api, "POST").mockResolvedValue(ok({ ...running, state: "paused" }));
    render(<QueryClientProvider client={new QueryClient()}><BatchDetail id="b1" onClose={vi.fn()} /></QueryClientProvider>);

    expect(await screen.findByTestId("batch-state")).toHaveTextContent("running");
    const rows = screen.getByRole("table", { name: "Rows" });
    expect(await within(rows).findByText("succeeded")).toBeInTheDocument();
    expect(within(rows).getByText("1 output")).toBeInTheDocument();
    const counts = screen.getByLabelText("Rows by status");
    expect(counts).toHaveTextContent("running1");
    expect(counts).toHaveTextContent("succeeded1");
    expect(screen.getByTestId("credits-reserved")).toHaveTextContent("2");
    expect(screen.getByTestId("credits-held")).toHaveTextContent("1");
    expect(screen.queryByRole("button", { name: "Retry failed rows" })).toBeNull();
    expect(screen.getByRole("button", { name: "Download results CSV" })).toBeInTheDocument();

    await userEvent.setup().click(screen.getByRole("button", { name: "Pause" }));
    expect(post).toHaveBeenCalledWith("/api/image-studio/batches/{batch_id}/pause",
      { params: { path: { batch_id: "b1" } } });
  });
});
