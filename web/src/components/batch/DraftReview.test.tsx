import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { DraftReview } from "./DraftReview";
import { errorLines } from "./rowErrors";
import type { Batch } from "./types";

const draft = {
  id: "b1", name: "spring", state: "draft", total_rows: 4, invalid_rows: 1, counts: { pending: 3, invalid: 1 },
  preview: { total_credits: 3, by_kind: [{ kind: "create", rows: 3, credits: 3 }],
    by_provider: [{ provider: "local", rows: 3, credits: 3 }], plan: "free",
    available_credits: 100, quotas_needed: { images: 3 }, quotas_remaining: { images: 50 }, covered: true,
    not_covered: null },
} as unknown as Batch;

function show(batch: Batch = draft) {
  const client = new QueryClient();
  return render(<QueryClientProvider client={client}>
    <DraftReview batch={batch} nextFireTimes={["2030-01-07T08:00:00+00:00"]}
      errors={errorLines([{ row: 4, field: "width", message: "width: Input should be a valid integer" }])} />
  </QueryClientProvider>);
}

describe("DraftReview", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows each row error with its row number and field, and the price", () => {
    show();
    const table = screen.getByRole("table", { name: "Row errors" });
    const cells = within(table).getAllByRole("cell").map((c) => c.textContent);
    expect(cells).toEqual(["4", "width", "width: Input should be a valid integer"]);
    expect(screen.getByRole("region", { name: "Cost preview" })).toHaveTextContent("3 credits");
    expect(screen.getByText(/^Covered/)).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Next fire times" }).querySelectorAll("li")).toHaveLength(1);
  });

  it("confirms with skip_invalid, and refuses to confirm invalid rows without it", async () => {
    const post = vi.spyOn(api, "POST").mockResolvedValue({ data: { ...draft, state: "running" },
      response: new Response("{}", { status: 200 }) } as never);
    show();
    const user = userEvent.setup();
    await user.click(screen.getByRole("checkbox", { name: "Skip invalid rows" }));
    expect(screen.getByRole("button", { name: "Confirm 3 rows · 3 credits" })).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "Skip invalid rows" }));
    await user.click(screen.getByRole("button", { name: "Confirm 3 rows, skip 1 invalid · 3 credits" }));
    await vi.waitFor(() => expect(post).toHaveBeenCalledWith("/api/image-studio/batches/{batch_id}/confirm",
      { params: { path: { batch_id: "b1" } }, body: { skip_invalid: true } }));
  });
});
