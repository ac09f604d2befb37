// An input image: a file the user dropped or chose, or one of their library assets.

export type ImageSource = {
  name: string;
  url: string; // an object URL for a file, a signed URL for an asset
  width: number;
  height: number;
  file?: File;
  assetId?: string;
};

export function measureImage(url: string): Promise<{ width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve({ width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => reject(new Error("this file is not an image the browser can open"));
    image.src = url;
  });
}

export async function fromFile(file: File): Promise<ImageSource> {
  if (!file.type.startsWith("image/")) throw new Error(`${file.name} is not an image (PNG, JPEG or WebP)`);
  const url = URL.createObjectURL(file);
  const size = await measureImage(url);
  return { name: file.name, url, file, ...size };
}

/** The multipart field for this role: the upload itself, or `<role>_asset_id`. */
export function appendImage(form: FormData, role: string, source: ImageSource) {
  if (source.file) form.append(role, source.file, source.file.name);
  else if (source.assetId) form.append(`${role}_asset_id`, source.assetId);
}
