// Bulk actions on the selected assets: download as ZIP, add to a collection, move to the trash or restore.
import { useId, useState } from "react";
import { errorText } from "../../api/errors";
import { downloadZip, useAddToCollection, useBulkDelete, useCollections, useRestoreAsset }
  from "../../components/library/assetsApi";
import { downloadBatches, type Selection } from "./selection";

type Props = { selection: Selection; trashed: boolean; onClear: () => void; onDone: (removed: string[]) => void;
  allOnPage: boolean; onSelectPage: () => void };

export function SelectionBar({ selection, trashed, onClear, onDone, allOnPage, onSelectPage }: Props) {
  const id = useId();
  const collections = useCollections();
  const add = useAddToCollection();
  const bulkDelete = useBulkDelete();
  const restore = useRestoreAsset();
  const [target, setTarget] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);
  const ids = [...selection.ids];
  const count = ids.length;

  async function attempt(work: () => Promise<string>) {
    setProblem(null);
    setMessage(null);
    try {
      setMessage(await work());
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="lib-bar" aria-label="Selection">
      <label className="check">
        <input type="checkbox" checked={allOnPage} onChange={() => (allOnPage ? onClear() : onSelectPage())} />
        Select page
      </label>
      <strong aria-live="polite">{count} selected</strong>
      {count > 0 && (
        <>
          <button type="button" disabled={downloading} onClick={() => void attempt(async () => {
            setDownloading(true);
            try {
              for (const batch of downloadBatches(ids)) await downloadZip(batch);
            } finally {
              setDownloading(false);
            }
            return `Downloaded ${count} as ZIP.`;
          })}>{downloading ? "Preparing ZIP…" : "Download ZIP"}</button>
          {!trashed && (
            <span className="row lib-add">
              <label htmlFor={`${id}-col`} className="visually-hidden">Collection to add to</label>
              <select id={`${id}-col`} value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">Choose a collection…</option>
                {collections.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
              <button type="button" disabled={!target || add.isPending} onClick={() => void attempt(async () => {
                await add.mutateAsync({ id: target, assetIds: ids });
                const name = collections.data?.find((c) => c.id === target)?.name ?? "the collection";
                return `Added ${count} to ${name}.`;
              })}>Add to collection</button>
            </span>
          )}
          {trashed ? (
            <button type="button" onClick={() => void attempt(async () => {
              for (const asset of ids) await restore.mutateAsync(asset);
              onDone(ids);
              return `Restored ${count}.`;
            })}>Restore</button>
          ) : (
            <button type="button" className="danger" onClick={() => void attempt(async () => {
              await bulkDelete.mutateAsync(ids);
              onDone(ids);
              return `Moved ${count} to the trash.`;
            })}>Move to trash</button>
          )}
          <button type="button" className="ghost" onClick={onClear}>Clear selection</button>
        </>
      )}
      {message && <span role="status" className="lib-ok">{message}</span>}
      {problem ? <span role="alert" className="field-error">{errorText(problem)}</span> : null}
    </section>
  );
}
