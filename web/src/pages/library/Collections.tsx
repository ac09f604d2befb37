// The library's views: everything, favourites, the trash, and the user's collections (create, rename,
// delete, share).
import { useId, useState } from "react";
import { asApiError, errorText } from "../../api/errors";
import { useCollections, useCreateCollection, useDeleteCollection, useRenameCollection }
  from "../../components/library/assetsApi";
import type { LibraryFilters } from "./libraryQuery";
import { ShareDialog } from "./ShareDialog";

type Props = { filters: LibraryFilters; onChange: (change: Partial<LibraryFilters>) => void };

export function Collections({ filters, onChange }: Props) {
  const id = useId();
  const collections = useCollections();
  const create = useCreateCollection();
  const rename = useRenameCollection();
  const remove = useDeleteCollection();
  const [name, setName] = useState("");
  const [sharing, setSharing] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const active = filters.collection;
  const current = collections.data?.find((c) => c.id === active);
  const view = (change: Partial<LibraryFilters>) =>
    onChange({ collection: undefined, favourite: undefined, trashed: undefined, ...change });
  const createError = asApiError(create.error);

  return (
    <nav className="lib-side card" aria-label="Library views">
      <ul>
        <li><button type="button" className="lib-view" aria-current={!active && !filters.favourite && !filters.trashed}
          onClick={() => view({})}>All assets</button></li>
        <li><button type="button" className="lib-view" aria-current={Boolean(filters.favourite)}
          onClick={() => view({ favourite: true })}>Favourites</button></li>
        <li><button type="button" className="lib-view" aria-current={Boolean(filters.trashed)}
          onClick={() => view({ trashed: true })}>Trash</button></li>
      </ul>
      <h2>Collections</h2>
      <ul>
        {collections.data?.map((c) => (
          <li key={c.id}>
            <button type="button" className="lib-view" aria-current={c.id === active}
              onClick={() => view({ collection: c.id })}>
              {c.name} <span className="muted">({c.asset_count})</span>
            </button>
          </li>
        ))}
      </ul>
      {current && (
        <div className="row lib-col-actions">
          <button type="button" onClick={() => setSharing(current.id)}>Share</button>
          <button type="button" className="ghost" onClick={() => { setRenaming(current.id); setNewName(current.name); }}>
            Rename
          </button>
          <button type="button" className="ghost" onClick={() => {
            if (window.confirm(`Delete the collection “${current.name}”? Its assets stay in the library.`)) {
              remove.mutate(current.id, { onSuccess: () => view({}) });
            }
          }}>Delete</button>
        </div>
      )}
      {renaming && current && (
        <form className="row" onSubmit={(e) => { e.preventDefault();
          rename.mutate({ id: current.id, name: newName }, { onSuccess: () => setRenaming(null) }); }}>
          <div className="field">
            <label htmlFor={`${id}-rename`}>New name</label>
            <input id={`${id}-rename`} value={newName} onChange={(e) => setNewName(e.target.value)} />
          </div>
          <button type="submit">Rename</button>
        </form>
      )}
      {(rename.isError || remove.isError) && (
        <p className="field-error" role="alert">{errorText(rename.error ?? remove.error)}</p>
      )}
      <form className="stack lib-new" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: name.trim() }, { onSuccess: () => setName("") });
      }}>
        <div className="field">
          <label htmlFor={`${id}-new`}>New collection</label>
          <input id={`${id}-new`} value={name} onChange={(e) => setName(e.target.value)} placeholder="Name"
            aria-invalid={create.isError ? true : undefined} />
          {create.isError && <p className="field-error" role="alert">
            {createError?.fieldMessage("name") ?? errorText(create.error)}</p>}
        </div>
        <button type="submit" disabled={!name.trim() || create.isPending}>Create collection</button>
      </form>
      {sharing && current && <ShareDialog collection={current} onClose={() => setSharing(null)} />}
    </nav>
  );
}
