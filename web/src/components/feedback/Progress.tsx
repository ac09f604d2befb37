import type { Operation } from "../../api/types";

/** Progress (0..1 in the API) as a labelled bar plus the status word, announced as it changes. */
export function OperationProgress({ operation, label }: { operation: Operation | undefined; label: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, operation?.progress ?? 0)) * 100);
  return (
    <div className="progress-block" aria-live="polite">
      <div className="progress-label">
        <span>{label}</span>
        <span>
          <span data-testid="operation-status">{operation?.status ?? "starting"}</span> · {percent}%
        </span>
      </div>
      <progress max={100} value={percent} aria-label={`${label} progress`} />
    </div>
  );
}
