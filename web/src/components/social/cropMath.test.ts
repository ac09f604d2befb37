import { describe, expect, it } from "vitest";
import fixture from "./cropCases.fixture.json";
import { cropFor, fitBox, focalFromClick, largestCropSize, roundHalfEven, safeRect, upscaleFactor,
  type CropMode, type FormatSpec } from "./cropMath";

// Reference crops produced by the editing service's own crop_box for the same inputs.
type Case = [number, number, string, [number, number] | null, CropMode, [number, number, number, number]];

describe("crop preview maths", () => {
  const formats = new Map((fixture.formats as FormatSpec[]).map((f) => [f.id, f]));

  it.each(fixture.cases as Case[])("%i x %i to %s, focal %j, %s matches the service", (w, h, id, focal, mode, box) => {
    const crop = cropFor(w, h, formats.get(id)!, mode, focal ? { x: focal[0], y: focal[1] } : null);
    expect([crop.left, crop.top, crop.width, crop.height]).toEqual(box);
  });

  it("takes the full height of a wider source and the full width of a taller one", () => {
    expect(largestCropSize(4000, 3000, 1080, 1080)).toEqual([3000, 3000]);
    expect(largestCropSize(1000, 3000, 1200, 628)).toEqual([1000, 523]);
  });

  it("rounds halves to even like the service", () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(1.5)).toBe(2);
  });

  it("keeps a focal point near the edge inside the image", () => {
    const story = { id: "s", width: 1080, height: 1920, safe_zone: { top: 0.25, bottom: 0.15, left: 0.1, right: 0.1 } };
    const crop = cropFor(4000, 3000, story, "smart", { x: 1, y: 0 });
    expect(crop.left + crop.width).toBe(4000);
    expect(crop.top).toBe(0);
  });

  it("centre mode ignores the focal point", () => {
    const square = { id: "q", width: 100, height: 100, safe_zone: { top: 0.2, bottom: 0.1, left: 0.1, right: 0.1 } };
    expect(cropFor(400, 100, square, "center", { x: 0, y: 0 })).toEqual({ left: 150, top: 0, width: 100, height: 100 });
  });

  it("letterboxes in fit mode and reports the blow-up factor", () => {
    expect(fitBox(4000, 3000, 1080, 1920)).toEqual({ left: 0, top: 555, width: 1080, height: 810 });
    const banner = { id: "b", width: 1500, height: 500, safe_zone: { top: 0, bottom: 0, left: 0, right: 0 } };
    expect(upscaleFactor(750, 750, banner, "smart")).toBe(2);
  });

  it("gives the safe rectangle in format pixels", () => {
    expect(safeRect({ top: 0.25, bottom: 0.15, left: 0.1, right: 0.1 }, 1080, 1920)).toEqual(
      { left: 108, top: 480, width: 864, height: 1152 });
  });

  it("turns a click into a normalised focal point, clamped to the image", () => {
    const rect = { left: 10, top: 20, width: 200, height: 100 };
    expect(focalFromClick(60, 45, rect)).toEqual({ x: 0.25, y: 0.25 });
    expect(focalFromClick(500, -5, rect)).toEqual({ x: 1, y: 0 });
  });
});
