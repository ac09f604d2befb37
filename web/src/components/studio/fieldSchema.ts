// Turns an operation's JSON-schema fields (from the API's operation catalogues) into form controls and
// back into multipart fields, so each operation shows exactly the fields the API accepts.
import type { FieldSchema } from "./studioApi";

export type ControlKind = "select" | "checkbox" | "slider" | "number" | "text" | "textarea" | "list";
export type FieldValues = Record<string, string | boolean>;

/** Fields every operation has; shown under "Advanced" rather than in the main form. */
export const ADVANCED_FIELDS = ["provider", "model", "seed", "output_format", "negative_prompt"];

/** The non-null member of an optional field. */
export function concrete(schema: FieldSchema): FieldSchema {
  const options = schema.anyOf?.filter((s) => s.type !== "null");
  return options && options.length ? { ...options[0], default: schema.default, description: schema.description,
    title: schema.title } : schema;
}

export function isOptional(schema: FieldSchema): boolean {
  return Boolean(schema.anyOf?.some((s) => s.type === "null"));
}

export function controlKind(name: string, schema: FieldSchema): ControlKind {
  const s = concrete(schema);
  if (s.enum) return "select";
  if (s.type === "boolean") return "checkbox";
  if (s.type === "array") return "list";
  if (s.type === "number" && s.minimum === 0 && s.maximum === 1) return "slider";
  if (s.type === "number" && (s.minimum ?? s.exclusiveMinimum) !== undefined && s.maximum === 1) return "slider";
  if (s.type === "integer" || s.type === "number") return "number";
  return name.includes("prompt") && name !== "search_prompt" && name !== "select_prompt" ? "textarea" : "text";
}

export function label(name: string, schema: FieldSchema): string {
  const text = (schema.title && schema.title !== titleCase(name) ? schema.title : name).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function titleCase(name: string): string {
  return name.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

/** Start from each field's default (optional fields without one stay empty). */
export function initialValues(fields: Record<string, FieldSchema>): FieldValues {
  const values: FieldValues = {};
  for (const [name, schema] of Object.entries(fields)) {
    const d = schema.default;
    if (typeof d === "boolean") values[name] = d;
    else if (Array.isArray(d)) values[name] = d.join(",");
    else values[name] = d === null || d === undefined ? "" : String(d);
  }
  return values;
}

/** The multipart fields: empty values are left out so the API applies its own defaults. */
export function appendFields(form: FormData, values: FieldValues, fields: Record<string, FieldSchema>) {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in fields)) continue;
    if (typeof value === "boolean") form.append(name, value ? "true" : "false");
    else if (value.trim() !== "") form.append(name, value.trim());
  }
}

/** Fields the browser can tell are missing before asking the API (which has the last word). */
export function missingRequired(values: FieldValues, required: readonly string[]): string[] {
  return required.filter((name) => {
    const value = values[name];
    return value === undefined || (typeof value === "string" && !value.trim());
  });
}

/** The fields as an estimate sees them: what will be sent, without provider and model (priced apart). */
export function estimateParams(values: FieldValues): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(values).filter(([name, value]) =>
    name !== "provider" && name !== "model" && (typeof value === "boolean" || value.trim() !== "")));
}
