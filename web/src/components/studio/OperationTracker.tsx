// Follows one operation live (server-sent events): status, progress, the charge, the API's error, cancel.
import { useEffect, useRef } from "react";
import { OperationProgress } from "../feedback/Progress";
import { useOperationEvents } from "../../api/useOperationEvents";
import { useCancelOperation } from "../../api/queries";
import { errorText } from "../../api/errors";
import { FINAL_STATUSES, type Operation } from "../../api/types";

type Props = { operationId: string; label: string; onFinished?: (operation: Operation) => void };

export function OperationTracker({ operationId, label, onFinished }: Props) {
  const { operation, error } = useOperationEvents(operationId);
  const cancel = useCancelOperation();
  const reported = useRef<string | null>(null);
  const final = Boolean(operation && FINAL_STATUSES.includes(operation.status));

  useEffect(() => {
    if (operation && final && reported.current !== operation.operation_id) {
      reported.current = operation.operation_id;
      onFinished?.(operation);
    }
  }, [operation, final, onFinished]);

  const charged = operation?.cost.charged_credits;
  return (
    <section className="stack sk-tracker" aria-label={`${label} progress`}>
      <OperationProgress operation={operation} label={label} />
      <p className="muted" aria-live="polite">
        {final && charged !== null && charged !== undefined ? `Charged ${charged} credit${charged === 1 ? "" : "s"}.`
          : operation ? `Up to ${operation.cost.reserved_credits || operation.cost.estimated_credits} credits held.` : ""}
      </p>
      {operation?.error && <p className="field-error" role="alert">{operation.error.message}</p>}
      {error && <p className="field-error" role="alert">{errorText(error)}</p>}
      {operation && !final && (
        <button type="button" className="ghost" onClick={() => cancel.mutate(operationId)} disabled={cancel.isPending}>
          Cancel
        </button>
      )}
      {cancel.isError && <p className="field-error" role="alert">{errorText(cancel.error)}</p>}
    </section>
  );
}
