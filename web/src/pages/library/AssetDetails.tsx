// One asset: preview, details, title and tags, favourite, its version chain, and what to do with it.
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { authFetch } from "../../api/client";
import { asApiError, errorFromResponse, errorText } from "../../api/errors";
import { localPath, useAsset, usePatchAsset, useRemoveFromCollection, useRestoreAsset, useTrashAsset, useVersions,
  type Asset } from "../../components/library/assetsApi";
import { Thumb } from "./AssetViews";

type Props = { assetId: string; collectionId?: string; onClose: () => void; onOpen: (id: string) => void };

async function download(asset: Asset) {
  const response = await authFetch(`/api/content-assets/${encodeURIComponent(asset.id)}/download`);
  if (!response.ok) throw await errorFromResponse(response);
  const { url } = (await response.json()) as { url: string };
  const link = document.createElement("a");
  link.href = localPath(url);
  link.download = asset.title;
  document.body.append(link);
  link.click();
  link.remove();
}

export function AssetDetails({ assetId, collectionId, onClose, onOpen }: Props) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const found = useAsset(assetId);
  const versions = useVersions(assetId);
  const patch = usePatchAsset();
  const trash = useTrashAsset();
  const restore = useRestoreAsset();
  const remove = useRemoveFromCollection();
  const [title, setTitle] = useState("");
  const [tags, setTags] = useState("");
  const [problem, setProblem] = useState<unknown>(null);
  const asset = found.data;

  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal?.();
    return () => node?.close?.();
  }, []);
  useEffect(() => {
    if (asset) {
      setTitle(asset.title);
      setTags(asset.tags.join(", "));
    }
  }, [asset]);

  const act = (work: () => Promise<unknown>) => () => {
    setProblem(null);
    work().catch(setProblem);
  };
  const apiError = asApiError(patch.error);
  return (
    <dialog ref={dialog} className="sk-dialog lib-details" aria-label="Asset details" onClose={onClose} onCancel={onClose}>
      <header className="sk-row">
        <h2>{asset?.title ?? "Asset"}</h2>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close details">×</button>
      </header>
      {found.isError && <p className="field-error" role="alert">{errorText(found.error)}</p>}
      {asset && (
        <div className="lib-detail-body">
          <div className="lib-detail-preview">
            {asset.content_type.startsWith("video/") ? <video src={localPath(asset.url)} controls aria-label={asset.title} />
              : asset.content_type.startsWith("image/") ? <img src={localPath(asset.url)} alt={asset.title} /> : <Thumb asset={asset} />}
          </div>
          <div className="stack">
            <dl className="lib-facts">
              <dt>Size</dt><dd>{asset.width && asset.height ? `${asset.width}×${asset.height} · ` : ""}{Math.round(asset.bytes / 1024)} kB</dd>
              <dt>Made in</dt><dd>{asset.module} ({asset.operation})</dd>
              <dt>Provider</dt><dd>{asset.provider}/{asset.model}</dd>
              <dt>Cost</dt><dd>{asset.cost_credits} credit{asset.cost_credits === 1 ? "" : "s"}</dd>
              <dt>Created</dt><dd>{new Date(asset.created_at).toLocaleString()}</dd>
              <dt>Downloads</dt><dd>{asset.download_count}</dd>
              {asset.prompt && <><dt>Prompt</dt><dd>{asset.prompt}</dd></>}
            </dl>
            <div className="field">
              <label htmlFor={`${id}-title`}>Title</label>
              <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)}
                aria-invalid={apiError?.fieldMessage("title") ? true : undefined} />
              {apiError?.fieldMessage("title") && <p className="field-error" role="alert">{apiError.fieldMessage("title")}</p>}
            </div>
            <div className="field">
              <label htmlFor={`${id}-tags`}>Tags (comma-separated)</label>
              <input id={`${id}-tags`} value={tags} onChange={(e) => setTags(e.target.value)} />
              {apiError?.fieldMessage("tags") && <p className="field-error" role="alert">{apiError.fieldMessage("tags")}</p>}
            </div>
            <div className="row">
              <button type="button" onClick={act(() => patch.mutateAsync({ id: asset.id, title: title.trim(),
                tags: tags.split(",").map((t) => t.trim()).filter(Boolean) }))}>Save</button>
              <button type="button" className="ghost" aria-pressed={asset.favourite}
                onClick={act(() => patch.mutateAsync({ id: asset.id, favourite: !asset.favourite }))}>
                {asset.favourite ? "★ Favourite" : "☆ Favourite"}
              </button>
              <button type="button" className="ghost" onClick={act(() => download(asset))}>Download</button>
              {asset.content_type.startsWith("image/") && !asset.deleted_at && (
                <>
                  <Link className="button ghost" to={`/edit?asset=${asset.id}`}>Edit</Link>
                  <Link className="button ghost" to={`/upscale?asset=${asset.id}`}>Upscale</Link>
                  <Link className="button ghost" to={`/social?asset=${asset.id}`}>Social</Link>
                </>
              )}
              {collectionId && (
                <button type="button" className="ghost"
                  onClick={act(() => remove.mutateAsync({ id: collectionId, assetId: asset.id }))}>
                  Remove from collection
                </button>
              )}
              {asset.deleted_at ? (
                <button type="button" onClick={act(() => restore.mutateAsync(asset.id))}>Restore</button>
              ) : (
                <button type="button" className="danger" onClick={act(async () => { await trash.mutateAsync(asset.id); onClose(); })}>
                  Move to trash
                </button>
              )}
            </div>
            {problem ? <p className="field-error" role="alert">{errorText(problem)}</p> : null}
            <section aria-label="Versions">
              <h3>Versions</h3>
              <ol className="lib-versions">
                {versions.data?.items.map((v) => (
                  <li key={v.id}>
                    <button type="button" className={v.id === asset.id ? "" : "ghost"} aria-current={v.id === asset.id}
                      onClick={() => onOpen(v.id)}>
                      <Thumb asset={v} />
                      <span>Version {v.version} · {v.module}</span>
                    </button>
                  </li>
                ))}
              </ol>
            </section>
          </div>
        </div>
      )}
    </dialog>
  );
}
