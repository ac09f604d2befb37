// A server-sent-events reader over fetch(): EventSource cannot send an Authorization header, and a token in
// the URL would end up in logs. The parser follows the HTML spec's field rules for what the gateway sends.

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Feeds text chunks (split anywhere) and calls `onMessage` for every complete event. */
export function createSseParser(onMessage: (message: SseMessage) => void) {
  let buffer = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;

  function dispatch() {
    if (data.length) onMessage({ id, event: event || "message", data: data.join("\n") });
    data = [];
    event = "";
  }

  function line(text: string) {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return; // a comment, e.g. a heartbeat
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
  }

  return {
    push(chunk: string) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const newline = buffer.startsWith("\r\n", end) ? 2 : 1;
        // A lone "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
        if (buffer[end] === "\r" && newline === 1 && end === buffer.length - 1) break;
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + newline);
      }
    },
  };
}

/** Reads one SSE response body to its end, calling `onMessage` per event. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => void,
  signal?: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser(onMessage);
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
