import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/errors";
import { SchemaFields } from "./SchemaFields";
import type { FieldSchema } from "./studioApi";

const fields: Record<string, FieldSchema> = {
  prompt: { type: "string", title: "Prompt", maxLength: 10000 },
  grow_mask: { type: "integer", title: "Grow Mask", minimum: 0, maximum: 100, default: 5 },
  creativity: { type: "number", title: "Creativity", minimum: 0, maximum: 1, default: 0.5 },
  light_source_direction: { anyOf: [{ enum: ["left", "right"], type: "string" }, { type: "null" }],
    title: "Light Source Direction", default: null },
  seed: { anyOf: [{ type: "integer" }, { type: "null" }], title: "Seed", default: null },
};

describe("SchemaFields", { timeout: 30_000 }, () => {
  it("labels every control and shows the API's words under the field they name", () => {
    const error = new ApiError(422, { message: "grow_mask: Input should be less than or equal to 100",
      detail: [{ field: "grow_mask", message: "Input should be less than or equal to 100" }] });
    const onChange = vi.fn();
    render(<SchemaFields fields={fields} required={["prompt"]} error={error} onChange={onChange}
      values={{ prompt: "", grow_mask: "500", creativity: "0.5", light_source_direction: "", seed: "" }} />);
    const grow = screen.getByLabelText("Grow mask");
    expect(grow).toHaveAttribute("aria-invalid", "true");
    expect(grow).toHaveAccessibleDescription("Input should be less than or equal to 100");
    expect(screen.getByRole("alert")).toHaveTextContent("Input should be less than or equal to 100");
    expect(screen.getByLabelText("Prompt")).toBeRequired();
    expect(screen.getByRole("slider", { name: "Creativity" })).toHaveValue("0.5");
    expect(screen.getByRole("combobox", { name: "Light source direction" })).toHaveValue("");
    expect(screen.queryByLabelText("Seed")).not.toBeInTheDocument(); // an advanced field
    fireEvent.change(screen.getByRole("combobox", { name: "Light source direction" }), { target: { value: "left" } });
    expect(onChange).toHaveBeenCalledWith("light_source_direction", "left");
  });
});
