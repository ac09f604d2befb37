// Every failed API call becomes an ApiError that keeps the API's own words and which field they name.
// The gateway answers {"message", "detail": [{"field", "message"}]} for 422s, {"detail": "..."} for other
// HTTP errors, and FastAPI's default {"detail": [{"loc", "msg"}]} may still come from a service behind it.

export interface FieldProblem {
  field: string;
  message: string;
}

const LOCATION_PARTS = new Set(["body", "query", "path", "header", "form"]);

function fieldOf(loc: unknown): string {
  if (!Array.isArray(loc)) return "";
  return loc.filter((part) => !LOCATION_PARTS.has(String(part))).map(String).join(".");
}

function problemsFrom(detail: unknown): FieldProblem[] {
  if (!Array.isArray(detail)) return [];
  return detail.flatMap((item): FieldProblem[] => {
    if (!item || typeof item !== "object") return [];
    const record = item as Record<string, unknown>;
    const message = String(record.message ?? record.msg ?? "");
    const field = typeof record.field === "string" ? record.field : fieldOf(record.loc);
    return message ? [{ field: field === "body" ? "" : field, message }] : [];
  });
}

function messageFrom(status: number, body: unknown, problems: FieldProblem[]): string {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    if (typeof record.message === "string" && record.message) return record.message;
    if (typeof record.detail === "string" && record.detail) return record.detail;
    if (record.detail && typeof record.detail === "object" && !Array.isArray(record.detail)) {
      const inner = record.detail as Record<string, unknown>;
      if (typeof inner.message === "string") return inner.message;
    }
  }
  if (typeof body === "string" && body.trim()) return body.trim();
  if (problems.length) return problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; ");
  return `The server answered ${status}.`;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problems: FieldProblem[];
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const problems = body && typeof body === "object" ? problemsFrom((body as { detail?: unknown }).detail) : [];
    super(messageFrom(status, body, problems));
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
    this.body = body;
  }

  /** The API's words about one field, e.g. "prompt" or "focal_x", or undefined. */
  fieldMessage(field: string): string | undefined {
    return this.problems.find((p) => p.field === field || p.field.startsWith(`${field}.`))?.message;
  }

  /** What is left to show above the form once the fields in `shown` carry their own messages. */
  formMessage(shown: readonly string[]): string | undefined {
    const placed = this.problems.filter((p) => shown.some((f) => p.field === f || p.field.startsWith(`${f}.`)));
    if (placed.length && placed.length === this.problems.length) return undefined;
    const rest = this.problems.filter((p) => !placed.includes(p));
    if (rest.length) return rest.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; ");
    return this.message;
  }
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : "";
  } catch {
    // keep the plain text: it is still what the server said
  }
  return new ApiError(response.status, body);
}

export function asApiError(error: unknown): ApiError | undefined {
  return error instanceof ApiError ? error : undefined;
}

export function errorText(error: unknown): string {
  if (!error) return "";
  if (error instanceof Error) return error.message;
  return String(error);
}
