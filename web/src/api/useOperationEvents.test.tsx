import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../auth/tokenStore";
import { ApiError } from "./errors";
import type { Operation } from "./types";
import { useOperationEvents } from "./useOperationEvents";

function op(status: Operation["status"], progress: number): Operation {
  return {
    operation_id: "op-1", kind: "create", status, progress, provider: "local", model: "local-render",
    created_at: "", updated_at: "", finished_at: null,
    cost: { estimated_credits: 2, reserved_credits: 2, charged_credits: status === "succeeded" ? 2 : 0 },
    error: null, outputs: [], request: {}, source_asset_id: null, batch_id: null, partial: null,
  };
}

const frame = (seq: number, operation: Operation) =>
  `id: ${seq}\nevent: operation\ndata: ${JSON.stringify(operation)}\n\n`;

/** A streamed response whose chunks are released one by one by the test. */
function controlledStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; } });
  return {
    response: new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

function wrapper(client: QueryClient) {
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe("useOperationEvents", () => {
  const fetchMock = vi.fn();
  let client: QueryClient;

  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    client = new QueryClient();
    setToken("secret-token");
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    setToken(null);
  });

  it("streams with the bearer token in a header and follows the operation to its final status", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    const { result } = renderHook(() => useOperationEvents("op-1"), { wrapper: wrapper(client) });

    await waitFor(() => expect(result.current.state).toBe("open"));
    const [url, init] = fetchMock.mock.calls[0] as [URL, RequestInit];
    expect(String(url)).toMatch(/\/api\/image-studio\/operations\/op-1\/events$/);
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer secret-token");
    expect(String(url)).not.toContain("secret-token");

    const running = frame(1, op("running", 0.5));
    act(() => stream.send(running.slice(0, 20)));
    act(() => stream.send(running.slice(20)));
    await waitFor(() => expect(result.current.operation?.progress).toBe(0.5));
    expect(result.current.operation?.status).toBe("running");

    act(() => { stream.send(frame(2, op("succeeded", 1))); stream.close(); });
    await waitFor(() => expect(result.current.state).toBe("done"));
    expect(result.current.operation?.status).toBe("succeeded");
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["billing"] });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("reconnects when the stream drops before a final status", async () => {
    const first = controlledStream();
    const second = controlledStream();
    fetchMock.mockResolvedValueOnce(first.response).mockResolvedValueOnce(second.response);
    const { result } = renderHook(() => useOperationEvents("op-1", { reconnectDelayMs: 1 }),
      { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.state).toBe("open"));
    act(() => { first.send(frame(1, op("running", 0.25))); first.close(); });
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    act(() => { second.send(frame(1, op("canceled", 0.5))); second.close(); });
    await waitFor(() => expect(result.current.state).toBe("done"));
    expect(result.current.operation?.status).toBe("canceled");
  });

  it("reports the API's error for an unknown operation and does not retry a 404", async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ detail: "operation op-9 not found" }), { status: 404 }));
    const { result } = renderHook(() => useOperationEvents("op-9", { reconnectDelayMs: 1 }),
      { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.state).toBe("error"));
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error?.message).toBe("operation op-9 not found");
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("stops reading when the component goes away", async () => {
    const stream = controlledStream();
    fetchMock.mockResolvedValueOnce(stream.response);
    const { result, unmount } = renderHook(() => useOperationEvents("op-1"), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.state).toBe("open"));
    const [, init] = fetchMock.mock.calls[0] as [URL, RequestInit];
    unmount();
    expect(init.signal?.aborted).toBe(true);
  });

  it("after the final status, waits for billing's settlement before it is done", async () => {
    const stream = controlledStream();
    const unsettled = { ...op("succeeded", 1), cost: { estimated_credits: 2, reserved_credits: 2, charged_credits: null } };
    fetchMock.mockResolvedValueOnce(stream.response)
      .mockResolvedValueOnce(new Response(JSON.stringify(unsettled), { status: 200 }))
      .mockResolvedValueOnce(new Response(JSON.stringify(op("succeeded", 1)), { status: 200 }));
    const { result } = renderHook(() => useOperationEvents("op-1"), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.state).toBe("open"));
    act(() => { stream.send(frame(1, unsettled)); stream.close(); });
    await waitFor(() => expect(result.current.state).toBe("done"), { timeout: 3000 });
    expect(result.current.operation?.cost.charged_credits).toBe(2);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const [pollUrl, pollInit] = fetchMock.mock.calls[1] as [URL, RequestInit];
    expect(String(pollUrl)).toMatch(/\/api\/image-studio\/operations\/op-1$/);
    expect(new Headers(pollInit.headers).get("Authorization")).toBe("Bearer secret-token");
  });

  it("stays idle without an operation", () => {
    const { result } = renderHook(() => useOperationEvents(undefined), { wrapper: wrapper(client) });
    expect(result.current.state).toBe("idle");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
