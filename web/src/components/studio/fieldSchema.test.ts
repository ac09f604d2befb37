import { describe, expect, it } from "vitest";
import { appendFields, controlKind, initialValues, missingRequired } from "./fieldSchema";
import type { FieldSchema } from "./studioApi";

// Shapes as pydantic writes them in GET /edit/operations.
const fields: Record<string, FieldSchema> = {
  prompt: { type: "string", minLength: 1, maxLength: 10000 } as FieldSchema,
  grow_mask: { type: "integer", minimum: 0, maximum: 100, default: 5 },
  creativity: { type: "number", minimum: 0, maximum: 1, default: 0.5 },
  light_source_direction: { anyOf: [{ enum: ["left", "right"], type: "string" }, { type: "null" }], default: null },
  keep_original_background: { type: "boolean", default: false },
  output_format: { enum: ["png", "jpeg", "webp"], type: "string", default: "png" },
  formats: { type: "array", items: { type: "string" } },
};

describe("operation fields from the API's schema", () => {
  it("picks a control per field", () => {
    expect(controlKind("prompt", fields.prompt)).toBe("textarea");
    expect(controlKind("grow_mask", fields.grow_mask)).toBe("number");
    expect(controlKind("creativity", fields.creativity)).toBe("slider");
    expect(controlKind("light_source_direction", fields.light_source_direction)).toBe("select");
    expect(controlKind("keep_original_background", fields.keep_original_background)).toBe("checkbox");
    expect(controlKind("formats", fields.formats)).toBe("list");
  });

  it("starts from the defaults and sends only what is set", () => {
    const values = initialValues(fields);
    expect(values).toMatchObject({ grow_mask: "5", creativity: "0.5", light_source_direction: "",
      keep_original_background: false, output_format: "png" });
    const form = new FormData();
    appendFields(form, { ...values, prompt: "  a red door  ", unknown: "x" }, fields);
    expect(form.get("prompt")).toBe("a red door");
    expect(form.has("light_source_direction")).toBe(false);
    expect(form.get("keep_original_background")).toBe("false");
    expect(form.has("unknown")).toBe(false);
    expect(missingRequired(values, ["prompt"])).toEqual(["prompt"]);
    expect(missingRequired({ prompt: "x" }, ["prompt"])).toEqual([]);
  });
});
