// The library's assets as a grid of thumbnails or a table, each selectable and favouritable.
import type { MouseEvent } from "react";
import { localPath, type Asset } from "../../components/library/assetsApi";
import { isSelected, type Selection } from "./selection";

type Props = {
  assets: Asset[];
  selection: Selection;
  onSelect: (id: string, range: boolean) => void;
  onOpen: (asset: Asset) => void;
  onFavourite: (asset: Asset) => void;
};

/** A name that tells apart assets with the same title (exports of one image share it). */
export function assetLabel(asset: Pick<Asset, "title" | "width" | "height" | "content_type">): string {
  const kind = asset.width && asset.height ? `${asset.width}×${asset.height}`
    : (asset.content_type.split("/")[1] ?? asset.content_type).toUpperCase();
  return `${asset.title}, ${kind}`;
}

export function Thumb({ asset }: { asset: Asset }) {
  if (asset.content_type.startsWith("image/")) return <img src={localPath(asset.url)} alt="" loading="lazy" />;
  if (asset.content_type.startsWith("video/")) return <video src={localPath(asset.url)} muted preload="metadata" aria-hidden="true" />;
  return <span className="lib-kind" aria-hidden="true">{asset.type === "model3d" ? "3D" : asset.content_type.split("/")[1] ?? asset.type}</span>;
}

function SelectBox({ asset, selection, onSelect }: Pick<Props, "selection" | "onSelect"> & { asset: Asset }) {
  return (
    <input type="checkbox" className="lib-check" checked={isSelected(selection, asset.id)}
      aria-label={`Select ${assetLabel(asset)}`} onChange={() => undefined}
      onClick={(e: MouseEvent<HTMLInputElement>) => onSelect(asset.id, e.shiftKey)} />
  );
}

function Star({ asset, onFavourite }: { asset: Asset; onFavourite: (asset: Asset) => void }) {
  return (
    <button type="button" className={`lib-star${asset.favourite ? " on" : ""}`} aria-pressed={asset.favourite}
      aria-label={`Favourite ${assetLabel(asset)}`} onClick={() => onFavourite(asset)}>
      {asset.favourite ? "★" : "☆"}
    </button>
  );
}

export function AssetGrid({ assets, selection, onSelect, onOpen, onFavourite }: Props) {
  return (
    <ul className="lib-grid" aria-label="Assets">
      {assets.map((asset) => (
        <li key={asset.id} className={isSelected(selection, asset.id) ? "selected" : undefined}>
          <button type="button" className="lib-open" onClick={() => onOpen(asset)} aria-label={`Open ${assetLabel(asset)}`}>
            <Thumb asset={asset} />
          </button>
          <div className="lib-meta">
            <SelectBox asset={asset} selection={selection} onSelect={onSelect} />
            <span className="lib-title" title={asset.title}>{asset.title}</span>
            <Star asset={asset} onFavourite={onFavourite} />
          </div>
          <small className="muted">{asset.width && asset.height ? `${asset.width}×${asset.height} · ` : ""}{asset.module}
            {asset.version > 1 ? ` · v${asset.version}` : ""}</small>
        </li>
      ))}
    </ul>
  );
}

export function AssetTable({ assets, selection, onSelect, onOpen, onFavourite }: Props) {
  return (
    <div className="table-wrap">
      <table className="lib-table">
        <caption className="visually-hidden">Assets</caption>
        <thead>
          <tr><th scope="col"><span className="visually-hidden">Selected</span></th><th scope="col">Preview</th>
            <th scope="col">Title</th><th scope="col">Size</th><th scope="col">Made in</th><th scope="col">Provider</th>
            <th scope="col">Created</th><th scope="col">Favourite</th></tr>
        </thead>
        <tbody>
          {assets.map((asset) => (
            <tr key={asset.id} className={isSelected(selection, asset.id) ? "selected" : undefined}>
              <td><SelectBox asset={asset} selection={selection} onSelect={onSelect} /></td>
              <td><button type="button" className="lib-open lib-open-small" onClick={() => onOpen(asset)}
                aria-label={`Open ${assetLabel(asset)}`}><Thumb asset={asset} /></button></td>
              <td>{asset.title}</td>
              <td>{asset.width && asset.height ? `${asset.width}×${asset.height}` : "—"} · {Math.round(asset.bytes / 1024)} kB</td>
              <td>{asset.module} <span className="muted">{asset.operation}</span></td>
              <td>{asset.provider}/{asset.model}</td>
              <td><time dateTime={asset.created_at}>{new Date(asset.created_at).toLocaleString()}</time></td>
              <td><Star asset={asset} onFavourite={onFavourite} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
