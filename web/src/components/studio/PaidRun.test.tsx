import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { PaidRun } from "./PaidRun";

// openapi-fetch takes the global fetch when the client is created (on import), so replace it first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn();
  globalThis.fetch = mock as unknown as typeof fetch;
  return mock;
});

const estimate = (covered: boolean, credits = 4) => ({
  kind: "edit.inpaint", provider: "local", model: "local-inpaint", unit: "image", units: 1, credits_per_unit: credits,
  estimated_credits: credits, estimated_usd: credits / 100, available_credits: covered ? 50 : 2, covered,
  would_reject: covered ? null : { reason: "insufficient_credits", message: "needs 4 credits, 2 available" },
});

function show(answer: Response, onRun = vi.fn(), blocked: string | null = null) {
  fetchMock.mockReset();
  fetchMock.mockImplementation(async () => answer.clone());
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(<QueryClientProvider client={client}>
    <PaidRun estimate={{ kind: "edit.inpaint" }} action="Inpaint" onRun={onRun} blocked={blocked} />
  </QueryClientProvider>);
  return { fetchMock, onRun };
}

describe("PaidRun", { timeout: 30_000 }, () => {
  it("prices the operation first and says the cost on the button", async () => {
    const { fetchMock, onRun } = show(Response.json(estimate(true)));
    const button = await screen.findByRole("button", { name: "Inpaint · 4 credits" });
    const request = (fetchMock.mock.calls[0] as unknown as [Request])[0];
    expect(await request.json()).toEqual({ kind: "edit.inpaint", provider: "auto", units: 1 });
    expect(screen.getByText("Your balance of 50 credits covers it.")).toBeInTheDocument();
    fireEvent.click(button);
    expect(onRun).toHaveBeenCalledOnce();
  });

  it("will not run what the balance does not cover, in billing's words", async () => {
    show(Response.json(estimate(false)));
    expect(await screen.findByText("needs 4 credits, 2 available")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Inpaint · 4 credits" })).toBeDisabled();
  });

  it("shows why there is no price", async () => {
    show(Response.json({ message: "provider 'local' cannot do edit.search_replace: use stability",
      detail: [{ field: "provider", message: "provider 'local' cannot do edit.search_replace: use stability" }] },
    { status: 422 }));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("cannot do edit.search_replace"));
    expect(screen.getByRole("button", { name: /^Inpaint/ })).toBeDisabled();
  });

  it("stays disabled while an input is missing", async () => {
    show(Response.json(estimate(true)), vi.fn(), "Paint the area to change on the image.");
    expect(await screen.findByText("Paint the area to change on the image.")).toBeInTheDocument();
    await screen.findByRole("button", { name: "Inpaint · 4 credits" });
    expect(screen.getByRole("button", { name: "Inpaint · 4 credits" })).toBeDisabled();
  });
});
