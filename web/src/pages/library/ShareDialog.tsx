// Share a collection as a read-only public board: optional password and expiry; copy the link; revoke.
import { useEffect, useId, useRef, useState } from "react";
import { asApiError, errorText } from "../../api/errors";
import { useBoards, useRevokeBoard, useShareBoard, type Board, type Collection }
  from "../../components/library/assetsApi";

export function boardLink(board: Pick<Board, "token">): string {
  return `${window.location.origin}/shared/${board.token}`;
}

function boardState(board: Board & { active?: boolean }): string {
  if (board.revoked_at) return "revoked";
  if (board.active === false || (board.expires_at && new Date(board.expires_at) < new Date())) return "expired";
  return board.expires_at ? `until ${new Date(board.expires_at).toLocaleString()}` : "no expiry";
}

export function ShareDialog({ collection, onClose }: { collection: Collection; onClose: () => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const boards = useBoards();
  const share = useShareBoard();
  const revoke = useRevokeBoard();
  const [title, setTitle] = useState(collection.name);
  const [password, setPassword] = useState("");
  const [hours, setHours] = useState("");
  const [copied, setCopied] = useState<string | null>(null);
  const error = asApiError(share.error);

  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal?.();
    return () => node?.close?.();
  }, []);

  async function copy(board: Board) {
    const link = boardLink(board);
    try {
      await navigator.clipboard.writeText(link);
      setCopied(board.id);
    } catch {
      setCopied(null);
      window.prompt("Copy the link", link);
    }
  }

  const mine = (boards.data ?? []).filter((b) => b.collection_id === collection.id);
  return (
    <dialog ref={dialog} className="sk-dialog" aria-label={`Share ${collection.name}`} onClose={onClose} onCancel={onClose}>
      <header className="sk-row">
        <h2>Share “{collection.name}”</h2>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close sharing">×</button>
      </header>
      <form className="stack" onSubmit={(e) => {
        e.preventDefault();
        share.mutate({ collection_id: collection.id, title: title.trim() || undefined,
          password: password || undefined, expires_in_hours: hours ? Number(hours) : undefined });
      }}>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-title`}>Board title</label>
            <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} />
            {error?.fieldMessage("title") && <p className="field-error" role="alert">{error.fieldMessage("title")}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-pw`}>Password (optional)</label>
            <input id={`${id}-pw`} type="password" autoComplete="new-password" value={password}
              onChange={(e) => setPassword(e.target.value)} aria-invalid={error?.fieldMessage("password") ? true : undefined} />
            {error?.fieldMessage("password") && <p className="field-error" role="alert">{error.fieldMessage("password")}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-hours`}>Expires after (hours)</label>
            <input id={`${id}-hours`} type="number" min={1} max={8760} placeholder="never" value={hours}
              onChange={(e) => setHours(e.target.value)}
              aria-invalid={error?.fieldMessage("expires_in_hours") ? true : undefined} />
            {error?.fieldMessage("expires_in_hours") &&
              <p className="field-error" role="alert">{error.fieldMessage("expires_in_hours")}</p>}
          </div>
        </div>
        <button type="submit" disabled={share.isPending}>Create share link</button>
        {share.error && !error?.problems.length ? <p className="field-error" role="alert">{errorText(share.error)}</p> : null}
      </form>
      {share.data && (
        <div className="field lib-new-link">
          <label htmlFor={`${id}-link`}>New link</label>
          <div className="row">
            <input id={`${id}-link`} readOnly value={boardLink(share.data)} onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => void copy(share.data!)}>Copy link</button>
          </div>
        </div>
      )}
      <h3>Links to this collection</h3>
      {!mine.length && <p className="muted">Not shared yet.</p>}
      <ul className="lib-boards">
        {mine.map((board) => (
          <li key={board.id}>
            <a href={boardLink(board)} target="_blank" rel="noreferrer">{board.title}</a>
            <span className="muted"> · {board.has_password ? "password" : "no password"} · {boardState(board)}</span>
            <span className="row">
              <button type="button" className="ghost small" onClick={() => void copy(board)}
                aria-label={`Copy the link to ${board.title}`}>{copied === board.id ? "Copied" : "Copy"}</button>
              {!board.revoked_at && (
                <button type="button" className="danger small" onClick={() => revoke.mutate(board.id)}
                  aria-label={`Revoke ${board.title}`}>Revoke</button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {revoke.isError && <p className="field-error" role="alert">{errorText(revoke.error)}</p>}
    </dialog>
  );
}
