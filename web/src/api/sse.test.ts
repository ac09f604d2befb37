import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "./sse";

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createSseParser((m) => messages.push(m));
  chunks.forEach((c) => parser.push(c));
  return messages;
}

describe("createSseParser", () => {
  it("reads events split anywhere across chunks", () => {
    const text = 'id: 1\nevent: operation\ndata: {"a":1}\n\nid: 2\nevent: operation\ndata: {"a":2}\n\n';
    const whole = parse([text]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(whole).toEqual([
      { id: "1", event: "operation", data: '{"a":1}' },
      { id: "2", event: "operation", data: '{"a":2}' },
    ]);
  });

  it("ignores comments, joins multi-line data and accepts CRLF", () => {
    expect(parse([": heartbeat\r\n\r\ndata: one\r\ndata: two\r", "\n\r\n"])).toEqual([
      { id: undefined, event: "message", data: "one\ntwo" },
    ]);
  });

  it("does not dispatch an event that has not ended", () => {
    expect(parse(["event: operation\ndata: {}\n"])).toEqual([]);
  });
});
