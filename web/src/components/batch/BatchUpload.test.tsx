import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BatchUpload } from "./BatchUpload";

const csv = new File(["kind,prompt\ncreate,a cat\n"], "rows.csv", { type: "text/csv" });
const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status,
  headers: { "Content-Type": "application/json" } });

function show(onSubmitted = vi.fn()) {
  render(<QueryClientProvider client={new QueryClient()}><BatchUpload onSubmitted={onSubmitted} /></QueryClientProvider>);
  return onSubmitted;
}

describe("BatchUpload", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks for a rows file before sending anything", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    show();
    await userEvent.setup().click(screen.getByRole("button", { name: "Check rows and price" }));
    expect(screen.getByLabelText("Rows file")).toHaveAccessibleDescription(/Choose a CSV, JSON or JSONL file/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("shows the batch service's schedule problem under the cron field, in its words", async () => {
    const fetchMock = vi.fn().mockResolvedValue(json({ detail: { errors: [
      { code: "bad_cron", field: "schedule.cron", message: "cron: '61 9 * * *' minute out of range" }] } }, 422));
    vi.stubGlobal("fetch", fetchMock);
    show();
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText("Rows file"), csv);
    await user.click(screen.getByLabelText("Repeat (cron)"));
    await user.clear(screen.getByLabelText("Cron"));
    await user.type(screen.getByLabelText("Cron"), "61 9 * * *");
    await user.clear(screen.getByLabelText("Time zone"));
    await user.type(screen.getByLabelText("Time zone"), "Europe/Berlin");
    await user.click(screen.getByRole("button", { name: "Check rows and price" }));
    expect(await screen.findByText("cron: '61 9 * * *' minute out of range")).toBeInTheDocument();
    expect(screen.getByLabelText("Cron")).toHaveAttribute("aria-invalid", "true");
    const body = fetchMock.mock.calls[0][1].body as FormData;
    expect(JSON.parse(body.get("schedule") as string)).toEqual(
      { cron: "61 9 * * *", timezone: "Europe/Berlin", overlap: "skip" });
  });

  it("hands the draft on once the API accepts the file", async () => {
    const draft = { id: "b1", state: "draft", errors: [] };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(json(draft, 201)));
    const onSubmitted = show();
    const user = userEvent.setup();
    await user.upload(screen.getByLabelText("Rows file"), csv);
    await user.click(screen.getByRole("button", { name: "Check rows and price" }));
    await vi.waitFor(() => expect(onSubmitted).toHaveBeenCalledWith(draft));
  });
});
