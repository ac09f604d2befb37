// `?asset=<id>` opens a studio on one of the user's library images.
import { useEffect } from "react";
import { useSearchParams } from "react-router";
import { localPath, useAsset } from "../library/assetsApi";
import type { ImageSource } from "./imageSource";

export function useAssetParam(onImage: (source: ImageSource) => void) {
  const [params] = useSearchParams();
  const assetId = params.get("asset") ?? undefined;
  const asset = useAsset(assetId);
  const data = asset.data;
  useEffect(() => {
    if (data && data.content_type.startsWith("image/") && data.width && data.height) {
      onImage({ name: data.title, url: localPath(data.url), assetId: data.id, width: data.width, height: data.height });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data?.id]);
  return asset;
}
