// A labelled form control whose API error (by field name) shows right under it and is announced.
import { cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";
import { asApiError } from "../../api/errors";

interface FieldProps {
  id: string;
  label: ReactNode;
  /** The API's field name this control sets, e.g. "prompt" or "num_variations". */
  name?: string;
  /** A failed mutation/query (ApiError) or a client-side message for this field. */
  error?: unknown;
  hint?: ReactNode;
  children: ReactElement<Record<string, unknown>>;
}

export function fieldError(error: unknown, name: string | undefined): string | undefined {
  if (!error || !name) return undefined;
  if (typeof error === "string") return error;
  return asApiError(error)?.fieldMessage(name);
}

export function Field({ id, label, name, error, hint, children }: FieldProps) {
  const message = typeof error === "string" ? error : fieldError(error, name);
  const describedBy = [hint ? `${id}-hint` : null, message ? `${id}-error` : null].filter(Boolean).join(" ");
  const control = isValidElement(children)
    ? cloneElement(children, {
      id,
      "aria-invalid": message ? true : undefined,
      "aria-describedby": describedBy || undefined,
    })
    : children;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint ? <p id={`${id}-hint`} className="field-hint">{hint}</p> : null}
      {message ? <p id={`${id}-error`} className="field-error" role="alert">{message}</p> : null}
    </div>
  );
}
