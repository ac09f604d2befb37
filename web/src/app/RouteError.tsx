// What a route shows when its page fails to load or render: the reason, and a way on. A chunk that no
// longer exists (the studio was updated while this tab was open) needs a reload, not a retry.
import { isRouteErrorResponse, Link, useRouteError } from "react-router";

export function isStaleChunk(error: unknown): boolean {
  return error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
}

export function RouteError() {
  const error = useRouteError();
  const stale = isStaleChunk(error);
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}`
    : error instanceof Error ? error.message : String(error);
  return (
    <div className="card stack" role="alert">
      <h1>{stale ? "The studio was updated" : "This page could not be shown"}</h1>
      <p>{stale ? "A newer version of the studio is available: reload to continue." : message}</p>
      <div className="row">
        <button type="button" onClick={() => window.location.reload()}>Reload</button>
        <Link className="button ghost" to="/create">Go to Create</Link>
      </div>
    </div>
  );
}
