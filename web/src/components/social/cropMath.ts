/** Where the social optimizer will cut each format, computed in the browser from the format data the API
 * gives (sizes and safe zones), with the same arithmetic as the editing service, so every crop can be
 * previewed before anything is paid for. */

export type SafeZone = { top: number; bottom: number; left: number; right: number };
export type FormatSpec = { id: string; width: number; height: number; safe_zone: SafeZone };
export type Box = { left: number; top: number; width: number; height: number };
export type CropMode = "smart" | "center" | "fit";
export type Focal = { x: number; y: number };

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkSize(w: number, h: number, what: string) {
  if (w < 1 || h < 1) throw new Error(`${what} size must be positive, got ${w}x${h}`);
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : Math.min(v, hi));

/** The largest crop of the source with the target's aspect ratio. */
export function largestCropSize(srcW: number, srcH: number, dstW: number, dstH: number): [number, number] {
  checkSize(srcW, srcH, "source");
  checkSize(dstW, dstH, "target");
  if (srcW * dstH >= dstW * srcH) return [Math.min(srcW, Math.max(1, roundHalfEven((srcH * dstW) / dstH))), srcH];
  return [srcW, Math.min(srcH, Math.max(1, roundHalfEven((srcW * dstH) / dstW)))];
}

/** The safe rectangle of a format in its own pixels. */
export function safeRect(zone: SafeZone, width: number, height: number): Box {
  const left = roundHalfEven(width * zone.left);
  const top = roundHalfEven(height * zone.top);
  const right = width - roundHalfEven(width * zone.right);
  const bottom = height - roundHalfEven(height * zone.bottom);
  return { left, top, width: Math.max(right - left, 0), height: Math.max(bottom - top, 0) };
}

export function fitBox(srcW: number, srcH: number, dstW: number, dstH: number): Box {
  checkSize(srcW, srcH, "source");
  checkSize(dstW, dstH, "target");
  const scale = Math.min(dstW / srcW, dstH / srcH);
  const w = Math.min(dstW, Math.max(1, roundHalfEven(srcW * scale)));
  const h = Math.min(dstH, Math.max(1, roundHalfEven(srcH * scale)));
  return { left: Math.floor((dstW - w) / 2), top: Math.floor((dstH - h) / 2), width: w, height: h };
}

function placeAxis(size: number, crop: number, focalPx: number, anchor: number): number {
  return clamp(Math.floor(focalPx - crop * anchor + 0.5), 0, size - crop);
}

/** The crop in source pixels for `smart` and `center`; for `fit`, the placement inside the target. */
export function cropFor(srcW: number, srcH: number, format: FormatSpec, mode: CropMode, focal: Focal | null): Box {
  const { width: w, height: h } = format;
  if (mode === "fit") return fitBox(srcW, srcH, w, h);
  const [cw, ch] = largestCropSize(srcW, srcH, w, h);
  const safe = safeRect(format.safe_zone, w, h);
  const smart = mode === "smart";
  const fx = smart && focal ? clamp(focal.x, 0, 1) : 0.5;
  const fy = smart && focal ? clamp(focal.y, 0, 1) : 0.5;
  // smart mode puts the subject at the centre of the safe zone, where no interface covers it
  const ax = smart ? clamp((safe.left + safe.width / 2) / w, 0, 1) : 0.5;
  const ay = smart ? clamp((safe.top + safe.height / 2) / h, 0, 1) : 0.5;
  return { left: placeAxis(srcW, cw, fx * srcW, ax), top: placeAxis(srcH, ch, fy * srcH, ay), width: cw, height: ch };
}

/** The output's upscale factor: above 1 the export is blown up from fewer pixels than it has. */
export function upscaleFactor(srcW: number, srcH: number, format: FormatSpec, mode: CropMode): number {
  if (mode === "fit") {
    const box = fitBox(srcW, srcH, format.width, format.height);
    return Math.max(box.width / srcW, box.height / srcH);
  }
  const [cw, ch] = largestCropSize(srcW, srcH, format.width, format.height);
  return Math.max(format.width / cw, format.height / ch);
}

/** A click on the displayed image as a focal point (0-1 of the width and height). */
export function focalFromClick(clientX: number, clientY: number, rect: { left: number; top: number; width: number;
  height: number }): Focal {
  return {
    x: Math.round(clamp((clientX - rect.left) / rect.width, 0, 1) * 1000) / 1000,
    y: Math.round(clamp((clientY - rect.top) / rect.height, 0, 1) * 1000) / 1000,
  };
}
