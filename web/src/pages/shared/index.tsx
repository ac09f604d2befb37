// A shared board, for anyone with the link and no account: the password when the board has one, then
// the collection's images to view and download.
import { useEffect, useId, useState } from "react";
import { useParams } from "react-router";
import { ApiError, errorText } from "../../api/errors";
import { localPath, openSharedBoard, type SharedBoard } from "../../components/library/assetsApi";
import "../library/library.css";

type State = { board?: SharedBoard; error?: unknown; loading: boolean };

/** What the visitor should do for each refusal; the API's own words are shown with it. */
function refusal(error: unknown): { needsPassword: boolean; title: string } {
  const status = error instanceof ApiError ? error.status : 0;
  if (status === 401) return { needsPassword: true, title: "This board is protected by a password." };
  if (status === 403) return { needsPassword: true, title: "That password is not right." };
  if (status === 429) return { needsPassword: false, title: "Too many wrong passwords: the board is locked for now." };
  if (status === 410) return { needsPassword: false, title: "This link is no longer shared." };
  if (status === 404) return { needsPassword: false, title: "There is no board at this link." };
  return { needsPassword: false, title: "The board could not be opened." };
}

export default function SharedBoardPage() {
  const id = useId();
  const { token = "" } = useParams();
  const [password, setPassword] = useState("");
  const [state, setState] = useState<State>({ loading: true });

  async function load(withPassword: string | null) {
    setState((s) => ({ ...s, loading: true }));
    try {
      setState({ board: await openSharedBoard(token, withPassword), loading: false });
    } catch (error) {
      setState({ error, loading: false });
    }
  }
  useEffect(() => {
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);

  const { board, error, loading } = state;
  if (board) {
    return (
      <div className="stack">
        <header className="page-header">
          <h1>{board.title}</h1>
          <p className="muted">{board.total} item{board.total === 1 ? "" : "s"}
            {board.expires_at ? ` · shared until ${new Date(board.expires_at).toLocaleString()}` : ""}</p>
        </header>
        <ul className="lib-grid" aria-label="Shared items">
          {board.items.map((item) => (
            <li key={item.id}>
              <a className="lib-open" href={localPath(item.url)} target="_blank" rel="noreferrer"
                aria-label={`View ${item.title}`}>
                {item.type === "image" ? <img src={localPath(item.url)} alt="" loading="lazy" />
                  : item.type === "video" ? <video src={localPath(item.url)} muted preload="metadata" aria-hidden="true" />
                  : <span className="lib-kind" aria-hidden="true">{item.type}</span>}
              </a>
              <span className="lib-title" title={item.title}>{item.title}</span>
              <small className="muted">{item.width && item.height ? `${item.width}×${item.height} · ` : ""}
                {Math.round(item.bytes / 1024)} kB · <a href={localPath(item.url)} download={item.title}>Download</a></small>
            </li>
          ))}
        </ul>
        {!board.items.length && <p className="empty">This board is empty.</p>}
      </div>
    );
  }
  if (loading && !error) return <p className="muted" role="status">Opening the board…</p>;
  const { needsPassword, title } = refusal(error);
  return (
    <section className="card stack" aria-label="Shared board">
      <h1>Shared board</h1>
      <p><strong>{title}</strong></p>
      {needsPassword ? (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void load(password); }}>
          <div className="field">
            <label htmlFor={`${id}-pw`}>Board password</label>
            <input id={`${id}-pw`} type="password" autoComplete="current-password" value={password} autoFocus
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error instanceof ApiError && error.status === 403 ? true : undefined}
              aria-describedby={`${id}-why`} />
            <p id={`${id}-why`} className={error instanceof ApiError && error.status === 403 ? "field-error" : "field-hint"}
              role={error instanceof ApiError && error.status === 403 ? "alert" : undefined}>{errorText(error)}</p>
          </div>
          <button type="submit" disabled={!password || loading}>Open board</button>
        </form>
      ) : (
        <p className="field-error" role="alert">{errorText(error)}</p>
      )}
    </section>
  );
}
