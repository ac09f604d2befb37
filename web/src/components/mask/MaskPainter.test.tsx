import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { MaskPainter } from "./MaskPainter";
import { pngSize } from "./pngEncode";
import type { MaskEditor } from "./useMaskEditor";

// jsdom has no 2D canvas: painting is checked on the mask buffer, which is what gets exported.
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
});

function setup(width = 300, height = 150) {
  let editor: MaskEditor | undefined;
  render(<MaskPainter imageUrl="blob:x" width={width} height={height} onEditor={(e) => { editor = e; }} />);
  const canvas = screen.getByTestId("mask-canvas");
  // shown at half size: a pointer at (x, y) on screen is image pixel (2x, 2y)
  vi.spyOn(canvas, "getBoundingClientRect").mockReturnValue(
    { left: 0, top: 0, width: width / 2, height: height / 2, right: width / 2, bottom: height / 2, x: 0, y: 0,
      toJSON: () => ({}) });
  const stroke = (points: [number, number][], options: { shiftKey?: boolean } = {}) => {
    fireEvent.pointerDown(canvas, { clientX: points[0][0], clientY: points[0][1], pointerId: 1, button: 0, ...options });
    for (const [x, y] of points.slice(1)) fireEvent.pointerMove(canvas, { clientX: x, clientY: y, pointerId: 1 });
    fireEvent.pointerUp(canvas, { pointerId: 1 });
  };
  return { stroke, editor: () => editor! };
}

describe("MaskPainter", { timeout: 30_000 }, () => {
  it("paints in image pixels through the scaled display and undoes and redoes per stroke", () => {
    const { stroke, editor } = setup();
    const undo = screen.getByRole("button", { name: "Undo" });
    expect(undo).toBeDisabled();
    stroke([[10, 10], [60, 10]]);
    expect(editor().mask.at(20, 20)).toBe(255); // screen (10, 10) is image (20, 20)
    expect(editor().mask.at(100, 20)).toBe(255);
    expect(editor().mask.at(20, 100)).toBe(0);
    stroke([[10, 50]]);
    expect(editor().mask.at(20, 100)).toBe(255);
    expect(screen.getByText(/of the image will change/)).toBeInTheDocument();

    fireEvent.click(undo);
    expect(editor().mask.at(20, 100)).toBe(0);
    expect(editor().mask.at(20, 20)).toBe(255);
    fireEvent.click(undo);
    expect(editor().painted).toBe(0);
    expect(undo).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Redo" }));
    expect(editor().mask.at(20, 20)).toBe(255);
    expect(editor().mask.at(20, 100)).toBe(0);
  });

  it("erases, inverts and clears, each one undoable step", () => {
    const { stroke, editor } = setup(200, 100);
    stroke([[0, 0], [100, 50]]);
    fireEvent.click(screen.getByRole("button", { name: "Eraser" }));
    expect(screen.getByRole("button", { name: "Eraser" })).toHaveAttribute("aria-pressed", "true");
    stroke([[50, 25]]);
    expect(editor().mask.at(100, 50)).toBe(0);
    const before = editor().painted;
    fireEvent.click(screen.getByRole("button", { name: "Invert" }));
    expect(editor().painted).toBe(200 * 100 - before);
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(editor().painted).toBe(0);
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(editor().painted).toBe(200 * 100 - before);
  });

  it("pans instead of painting with the pan tool, and zooms with the buttons", () => {
    const { stroke, editor } = setup();
    fireEvent.click(screen.getByRole("button", { name: "Pan" }));
    stroke([[10, 10], [40, 40]]);
    expect(editor().painted).toBe(0);
    fireEvent.click(screen.getByRole("button", { name: "Zoom in" }));
    expect(screen.getByText("125%")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Fit" }));
    expect(screen.getByText("100%")).toBeInTheDocument();
  });

  it("supports the keyboard: tools, undo and redo", () => {
    const { stroke, editor } = setup();
    stroke([[5, 5]]);
    const stage = screen.getByLabelText(/Mask canvas/);
    fireEvent.keyDown(stage, { key: "z", ctrlKey: true });
    expect(editor().painted).toBe(0);
    fireEvent.keyDown(stage, { key: "z", ctrlKey: true, shiftKey: true });
    expect(editor().painted).toBeGreaterThan(0);
    fireEvent.keyDown(stage, { key: "e" });
    expect(screen.getByRole("button", { name: "Eraser" })).toHaveAttribute("aria-pressed", "true");
  });

  it("exports a mask PNG of the image's exact size whatever the display size", async () => {
    const { stroke, editor } = setup(1001, 667);
    stroke([[100, 100], [200, 200]]);
    const png = await editor().exportPng();
    expect(pngSize(png)).toEqual({ width: 1001, height: 667 });
  });

  it("hands its editor over once per change, not on every render", async () => {
    const onEditor = vi.fn();
    const { rerender } = render(<MaskPainter imageUrl="blob:y" width={40} height={30} onEditor={onEditor} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    rerender(<MaskPainter imageUrl="blob:y" width={40} height={30} onEditor={onEditor} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onEditor).toHaveBeenCalledTimes(1);
  });

  it("labels every control", () => {
    setup();
    for (const button of screen.getAllByRole("button")) expect(button).toHaveAccessibleName();
    for (const slider of screen.getAllByRole("slider")) expect(slider).toHaveAccessibleName();
  });
});
