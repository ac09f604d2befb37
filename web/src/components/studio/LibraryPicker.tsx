// A dialog to pick one image from the library, searchable.
import { useEffect, useRef, useState } from "react";
import { localPath, useAssets, type Asset } from "../library/assetsApi";
import { errorText } from "../../api/errors";

type Props = { title: string; onPick: (asset: Asset) => void; onClose: () => void };

export function LibraryPicker({ title, onPick, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [search, setSearch] = useState("");
  const found = useAssets({ type: "image", search: search.trim() || undefined, page_size: 48 });

  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal?.();
    return () => node?.close?.();
  }, []);

  return (
    <dialog ref={dialog} className="sk-dialog" aria-label={title} onClose={onClose} onCancel={onClose}>
      <header className="sk-row">
        <h2>{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close">×</button>
      </header>
      <input type="search" aria-label="Search the library" placeholder="Search prompts, titles, tags"
        value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
      {found.isError && <p className="field-error" role="alert">{errorText(found.error)}</p>}
      <ul className="sk-pick-grid">
        {found.data?.items.map((asset) => (
          <li key={asset.id}>
            <button type="button" onClick={() => onPick(asset)} aria-label={`Use ${asset.title}`}>
              <img src={localPath(asset.url)} alt="" loading="lazy" />
              <span>{asset.title}</span>
            </button>
          </li>
        ))}
      </ul>
      {found.data && !found.data.items.length && <p>No images found.</p>}
    </dialog>
  );
}
