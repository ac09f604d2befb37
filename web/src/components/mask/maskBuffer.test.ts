import { describe, expect, it } from "vitest";
import { applyAction, MaskBuffer, overlayPixels, renderActions, stampSegment, type MaskAction } from "./maskBuffer";
import { emptyHistory, record, redo, undo } from "./maskHistory";
import { encodeMaskPng, pngSize } from "./pngEncode";

const stroke = (tool: "brush" | "eraser", size: number, ...xy: number[]): MaskAction => ({
  type: "stroke", tool, size, points: Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i], y: xy[2 * i + 1] })),
});

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const inflater = new DecompressionStream("deflate");
  const writer = inflater.writable.getWriter();
  void writer.write(bytes as Uint8Array<ArrayBuffer>);
  void writer.close();
  return new Uint8Array(await new Response(inflater.readable).arrayBuffer());
}

describe("mask painting", () => {
  it("paints a disc for a click and a band for a drag", () => {
    const mask = new MaskBuffer(40, 20);
    stampSegment(mask, { x: 10, y: 10 }, { x: 10, y: 10 }, 3, 255);
    expect(mask.at(10, 10)).toBe(255);
    expect(mask.at(14, 10)).toBe(0);
    stampSegment(mask, { x: 20, y: 5 }, { x: 35, y: 5 }, 2, 255);
    expect(mask.at(28, 5)).toBe(255);
    expect(mask.at(28, 9)).toBe(0);
  });

  it("erases what the brush painted and clips at the edges", () => {
    const mask = renderActions(30, 30, [stroke("brush", 20, 0, 0, 29, 29), stroke("eraser", 6, 15, 15)]);
    expect(mask.at(0, 0)).toBe(255);
    expect(mask.at(15, 15)).toBe(0);
    expect(mask.at(10, 10)).toBe(255);
  });

  it("inverts and clears", () => {
    const mask = new MaskBuffer(4, 4);
    applyAction(mask, stroke("brush", 1, 0.5, 0.5));
    applyAction(mask, { type: "invert" });
    expect(mask.at(0, 0)).toBe(0);
    expect(mask.countPainted()).toBe(15);
    applyAction(mask, { type: "clear" });
    expect(mask.countPainted()).toBe(0);
  });

  it("undoes and redoes one stroke at a time", () => {
    const first = stroke("brush", 4, 5, 5, 15, 5);
    const second = stroke("brush", 4, 5, 15);
    let history = record(record(emptyHistory, first), second);
    const both = renderActions(20, 20, history.done).countPainted();
    history = undo(history);
    const one = renderActions(20, 20, history.done);
    expect(one.at(5, 15)).toBe(0);
    expect(one.at(10, 5)).toBe(255);
    expect(one.countPainted()).toBeLessThan(both);
    history = redo(history);
    expect(renderActions(20, 20, history.done).countPainted()).toBe(both);
    expect(redo(history)).toBe(history);
    history = record(undo(history), { type: "invert" });
    expect(history.undone).toEqual([]); // a new action drops what could have been redone
    expect(undo(undo(undo(history))).done).toEqual([]);
  });

  it("undoing an invert restores the painted area", () => {
    const history = record(record(emptyHistory, stroke("brush", 2, 1, 1)), { type: "invert" });
    expect(renderActions(8, 8, undo(history).done).countPainted()).toBe(renderActions(8, 8, [stroke("brush", 2, 1, 1)]).countPainted());
  });

  it("colours only painted pixels in the overlay", () => {
    const mask = new MaskBuffer(3, 1);
    mask.data[1] = 255;
    expect(Array.from(overlayPixels(mask, mask.full, [255, 0, 0]))).toEqual([0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0]);
  });
});

describe("mask export", () => {
  it("is a greyscale PNG of exactly the image's size, white where painted", async () => {
    const mask = renderActions(1003, 517, [stroke("brush", 50, 100, 100, 900, 400)]);
    const png = await encodeMaskPng(mask);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual({ width: 1003, height: 517 });
    expect(png[24]).toBe(8); // bit depth
    expect(png[25]).toBe(0); // colour type: greyscale
    const idatLength = new DataView(png.buffer).getUint32(33);
    const raw = await inflate(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((1003 + 1) * 517);
    const pixel = (x: number, y: number) => raw[y * 1004 + 1 + x];
    expect(pixel(100, 100)).toBe(255);
    expect(pixel(1000, 10)).toBe(0);
  });
});
