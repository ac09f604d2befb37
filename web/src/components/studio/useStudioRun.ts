// One studio run: submit (multipart), then follow the operation until it is final.
import { useCallback, useState } from "react";
import type { Operation } from "../../api/types";
import { useSubmitOperation, type StudioPath } from "./studioApi";

export function useStudioRun(path: StudioPath) {
  const submit = useSubmitOperation(path);
  const [operationId, setOperationId] = useState<string | null>(null);
  const [finished, setFinished] = useState<Operation | null>(null);

  const run = useCallback(async (form: FormData) => {
    setFinished(null);
    setOperationId(null);
    try {
      const accepted = await submit.mutateAsync(form);
      setOperationId(accepted.operation_id);
    } catch {
      // the mutation keeps the ApiError; the page shows it by field
    }
  }, [submit]);

  const running = Boolean(operationId && !finished);
  return { run, operationId, finished, onFinished: setFinished, error: submit.error ?? undefined,
    submitting: submit.isPending, running, reset: () => { setOperationId(null); setFinished(null); submit.reset(); } };
}
