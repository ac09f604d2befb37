// What to do with a finished output: open it in the library or another studio, or download it.
import { Link } from "react-router";
import type { Operation, OperationOutput } from "../../api/types";
import { localPath } from "../library/assetsApi";

export function outputName(output: OperationOutput, index: number): string {
  const ext = output.content_type.split("/")[1]?.replace("jpeg", "jpg").replace("gltf-binary", "glb") ?? "bin";
  return `image-studio-${output.asset_id || index}.${ext}`;
}

export function ResultActions({ operation, output, index = 0 }: { operation: Operation; output: OperationOutput;
  index?: number }) {
  const isImage = output.content_type.startsWith("image/");
  return (
    <div className="row sk-actions">
      <a className="button ghost" href={localPath(output.url)} download={outputName(output, index)}>Download</a>
      <Link className="button ghost" to={`/library?operation_id=${encodeURIComponent(operation.operation_id)}`}>
        Open in library
      </Link>
      {isImage && output.asset_id && (
        <>
          <Link className="button ghost" to={`/edit?asset=${output.asset_id}`}>Edit</Link>
          <Link className="button ghost" to={`/upscale?asset=${output.asset_id}`}>Upscale</Link>
          <Link className="button ghost" to={`/social?asset=${output.asset_id}`}>Social</Link>
        </>
      )}
    </div>
  );
}
