// The form controls for one operation's fields, each labelled, with the API's own words under the field
// they name.
import { useId } from "react";
import type { ApiError } from "../../api/errors";
import { ADVANCED_FIELDS, concrete, controlKind, isOptional, label, type FieldValues } from "./fieldSchema";
import type { FieldSchema } from "./studioApi";

type Props = {
  fields: Record<string, FieldSchema>;
  required: readonly string[];
  values: FieldValues;
  onChange: (name: string, value: string | boolean) => void;
  error?: ApiError;
  only?: "main" | "advanced";
  hidden?: readonly string[];
};

export function SchemaFields({ fields, required, values, onChange, error, only = "main", hidden = [] }: Props) {
  const names = Object.keys(fields).filter((name) =>
    !hidden.includes(name) && (only === "advanced") === ADVANCED_FIELDS.includes(name));
  return (
    <>
      {names.map((name) => (
        <SchemaField key={name} name={name} schema={fields[name]} required={required.includes(name)}
          value={values[name] ?? ""} onChange={(v) => onChange(name, v)} error={error?.fieldMessage(name)} />
      ))}
    </>
  );
}

type FieldProps = {
  name: string;
  schema: FieldSchema;
  required: boolean;
  value: string | boolean;
  onChange: (value: string | boolean) => void;
  error?: string;
};

export function SchemaField({ name, schema, required, value, onChange, error }: FieldProps) {
  const id = useId();
  const s = concrete(schema);
  const kind = controlKind(name, schema);
  const text = label(name, schema);
  const describedBy = [s.description ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = {
    id, name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy || undefined,
    required,
  };
  let control;
  if (kind === "checkbox") {
    return (
      <div className="check">
        <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{text}</label>
        <FieldNote id={id} hint={s.description} error={error} />
      </div>
    );
  } else if (kind === "select") {
    control = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {(isOptional(schema) || value === "") && <option value="">(default)</option>}
        {s.enum!.map((option) => <option key={String(option)} value={String(option)}>{String(option)}</option>)}
      </select>
    );
  } else if (kind === "slider") {
    const number = value === "" ? Number(s.default ?? s.minimum ?? 0) : Number(value);
    control = (
      <div className="sk-slider">
        <input type="range" {...common} min={s.minimum ?? s.exclusiveMinimum ?? 0} max={s.maximum ?? 1} step={0.05}
          value={number} onChange={(e) => onChange(e.target.value)} />
        <output htmlFor={id}>{value === "" ? "default" : number.toFixed(2)}</output>
      </div>
    );
  } else if (kind === "number") {
    control = (
      <input type="number" inputMode="numeric" {...common} value={String(value)} min={s.minimum} max={s.maximum}
        step={s.type === "integer" ? 1 : "any"} onChange={(e) => onChange(e.target.value)} />
    );
  } else if (kind === "textarea") {
    control = <textarea {...common} rows={3} maxLength={s.maxLength} value={String(value)}
      onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = <input type="text" {...common} maxLength={s.maxLength} value={String(value)}
      placeholder={kind === "list" ? "comma-separated" : undefined} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="field">
      <label htmlFor={id}>{text}</label>
      {control}
      <FieldNote id={id} hint={s.description} error={error} />
    </div>
  );
}

export function FieldNote({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && <small id={`${id}-hint`} className="field-hint">{hint}</small>}
      {error && <small id={`${id}-error`} className="field-error" role="alert">{error}</small>}
    </>
  );
}
