// One format's crop, drawn from the source image with CSS (no pixels are computed), with its safe zone.
import { cropFor, fitBox, safeRect, upscaleFactor, type CropMode, type Focal } from "./cropMath";
import type { SocialFormat } from "../studio/studioApi";

type Props = { src: string; srcWidth: number; srcHeight: number; format: SocialFormat; mode: CropMode;
  focal: Focal | null; boxSize?: number };

export function CropPreview({ src, srcWidth, srcHeight, format, mode, focal, boxSize = 200 }: Props) {
  const scaleToBox = boxSize / Math.max(format.width, format.height);
  const w = Math.round(format.width * scaleToBox);
  const h = Math.round(format.height * scaleToBox);
  let image: React.CSSProperties;
  if (mode === "fit") {
    const place = fitBox(srcWidth, srcHeight, format.width, format.height);
    image = { left: place.left * scaleToBox, top: place.top * scaleToBox, width: place.width * scaleToBox,
      height: place.height * scaleToBox };
  } else {
    const crop = cropFor(srcWidth, srcHeight, format, mode, focal);
    const s = w / crop.width;
    image = { left: -crop.left * s, top: -crop.top * s, width: srcWidth * s, height: srcHeight * s };
  }
  const safe = safeRect(format.safe_zone, format.width, format.height);
  const blowUp = upscaleFactor(srcWidth, srcHeight, format, mode);
  return (
    <figure className="sp-preview" data-testid={`preview-${format.id}`}>
      <div className="sp-frame" style={{ width: w, height: h }}>
        <img src={src} alt="" style={image} draggable={false} />
        <div className="sp-safe" aria-hidden="true" style={{ left: safe.left * scaleToBox, top: safe.top * scaleToBox,
          width: safe.width * scaleToBox, height: safe.height * scaleToBox }} />
      </div>
      <figcaption>
        <strong>{format.label || format.name}</strong>
        <span>{format.width}×{format.height}</span>
        {blowUp > 1.05 && <span className="sp-warn">enlarged {blowUp.toFixed(1)}×</span>}
      </figcaption>
    </figure>
  );
}
