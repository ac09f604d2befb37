// Follows one operation live (server-sent events): status, progress, the charge, the API's error, cancel.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, unwrapAs } from "../../api/client";
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

  // The stream ends with the final status; billing may settle the charge a moment later.
  const waitingForCharge = final && operation?.status !== "rejected" && operation?.cost.charged_credits == null;
  const settled = useQuery({
    queryKey: ["operations", "settled", operationId],
    queryFn: () => unwrapAs<Operation>(api.GET("/api/image-studio/operations/{operation_id}", {
      params: { path: { operation_id: operationId } } })),
    enabled: waitingForCharge,
    refetchInterval: (query) => (query.state.data?.cost.charged_credits == null ? 1000 : false),
  });
  const charged = settled.data?.cost.charged_credits ?? operation?.cost.charged_credits;
  const queryClient = useQueryClient();
  useEffect(() => {  // the balance changed: the next price's "covered" must be asked again
    if (final && charged != null) void queryClient.invalidateQueries({ queryKey: ["estimate"] });
  }, [final, charged, queryClient]);
  const credits = (n: number) => `${n} credit${n === 1 ? "" : "s"}`;
  return (
    <section className="stack sk-tracker" aria-label={`${label} progress`}>
      <OperationProgress operation={operation} label={label} />
      <p className="muted" aria-live="polite">
        {final && charged !== null && charged !== undefined ? `Charged ${credits(charged)}.`
          : final ? "Settling the charge…"
          : operation ? `Up to ${credits(operation.cost.reserved_credits || operation.cost.estimated_credits)} held.` : ""}
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
