import type { ErrorLine } from "./rowErrors";

/** Each invalid row's problems, by row number and field, as the API words them. */
export function RowErrorsTable({ lines }: { lines: ErrorLine[] }) {
  if (!lines.length) return null;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Row errors, scrollable">
      <table aria-label="Row errors">
        <caption className="visually-hidden">Rows that cannot run, with the field and the problem</caption>
        <thead><tr><th scope="col">Row</th><th scope="col">Field</th><th scope="col">Problem</th></tr></thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.key}><td>{line.row}</td><td><code>{line.field}</code></td><td>{line.message}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
