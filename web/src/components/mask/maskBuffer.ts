/** A mask as one byte per pixel of the image (255 = edit, 0 = keep), painted by replaying actions.
 * Kept outside the canvas so painting, undo and export work the same in tests and in the browser. */

export type Point = { x: number; y: number };
export type Tool = "brush" | "eraser";
export type MaskAction =
  | { type: "stroke"; tool: Tool; size: number; points: Point[] }
  | { type: "invert" }
  | { type: "clear" };

export type Rect = { x: number; y: number; width: number; height: number };

export class MaskBuffer {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number) {
    if (!(width > 0 && height > 0)) throw new Error(`mask size must be positive, got ${width}x${height}`);
    this.data = new Uint8Array(width * height);
  }

  get full(): Rect {
    return { x: 0, y: 0, width: this.width, height: this.height };
  }

  at(x: number, y: number): number {
    return this.data[y * this.width + x];
  }

  /** How many pixels are marked for editing. */
  countPainted(): number {
    let count = 0;
    for (let i = 0; i < this.data.length; i++) if (this.data[i]) count++;
    return count;
  }
}

/** Paint every pixel whose centre lies within `radius` of the segment a-b; returns the changed area. */
export function stampSegment(mask: MaskBuffer, a: Point, b: Point, radius: number, value: number): Rect | null {
  const r = Math.max(radius, 0.5);
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r));
  const x1 = Math.min(mask.width - 1, Math.ceil(Math.max(a.x, b.x) + r));
  const y1 = Math.min(mask.height - 1, Math.ceil(Math.max(a.y, b.y) + r));
  if (x0 > x1 || y0 > y1) return null;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    const row = y * mask.width;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      // the nearest point of the segment to the pixel centre
      const t = lengthSquared ? Math.min(1, Math.max(0, ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared)) : 0;
      const ex = px - (a.x + t * dx);
      const ey = py - (a.y + t * dy);
      if (ex * ex + ey * ey <= r2) mask.data[row + x] = value;
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Extend a stroke by one point; paints only the new segment. */
export function extendStroke(mask: MaskBuffer, stroke: Extract<MaskAction, { type: "stroke" }>, next: Point) {
  const last = stroke.points[stroke.points.length - 1] ?? next;
  stroke.points.push(next);
  return stampSegment(mask, last, next, stroke.size / 2, stroke.tool === "brush" ? 255 : 0);
}

export function applyAction(mask: MaskBuffer, action: MaskAction): Rect | null {
  switch (action.type) {
    case "clear":
      mask.data.fill(0);
      return mask.full;
    case "invert":
      for (let i = 0; i < mask.data.length; i++) mask.data[i] = 255 - mask.data[i];
      return mask.full;
    case "stroke": {
      const value = action.tool === "brush" ? 255 : 0;
      const points = action.points;
      let dirty: Rect | null = null;
      for (let i = 0; i < points.length; i++) {
        dirty = union(dirty, stampSegment(mask, points[Math.max(0, i - 1)], points[i], action.size / 2, value));
      }
      return dirty;
    }
  }
}

export function renderActions(width: number, height: number, actions: readonly MaskAction[]): MaskBuffer {
  const mask = new MaskBuffer(width, height);
  for (const action of actions) applyAction(mask, action);
  return mask;
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x, y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** RGBA pixels for the overlay canvas: the painted area in `colour`, the rest transparent. */
export function overlayPixels(mask: MaskBuffer, rect: Rect, colour: [number, number, number]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rect.width * rect.height * 4);
  for (let y = 0; y < rect.height; y++) {
    const src = (rect.y + y) * mask.width + rect.x;
    const dst = y * rect.width * 4;
    for (let x = 0; x < rect.width; x++) {
      if (mask.data[src + x]) {
        const o = dst + x * 4;
        out[o] = colour[0];
        out[o + 1] = colour[1];
        out[o + 2] = colour[2];
        out[o + 3] = 255;
      }
    }
  }
  return out;
}
