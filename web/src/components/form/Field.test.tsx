import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { ErrorBanner } from "../feedback/ErrorBanner";
import { Field } from "./Field";

const apiError = new ApiError(422, {
  message: "prompt: String should have at least 1 character; persona_id: not yours",
  detail: [{ field: "prompt", message: "String should have at least 1 character" },
    { field: "persona_id", message: "persona_id 'p-9' is not one of your personas" }],
});

describe("Field and ErrorBanner", () => {
  it("puts the API's message for a field under its control, linked and marked invalid", () => {
    render(<Field id="f-prompt" label="Prompt" name="prompt" error={apiError}><textarea /></Field>);
    const control = screen.getByLabelText("Prompt");
    expect(control).toHaveAttribute("aria-invalid", "true");
    expect(control).toHaveAccessibleDescription("String should have at least 1 character");
    expect(screen.getByRole("alert")).toHaveTextContent("String should have at least 1 character");
  });

  it("shows nothing for a field the error does not name", () => {
    render(<Field id="f-seed" label="Seed" name="seed" error={apiError}><input /></Field>);
    expect(screen.getByLabelText("Seed")).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("takes a client-side message as a string", () => {
    render(<Field id="f-w" label="Width" error="Give both width and height, or neither."><input /></Field>);
    expect(screen.getByLabelText("Width")).toHaveAccessibleDescription("Give both width and height, or neither.");
  });

  it("banner shows only what no field on the page carries", () => {
    const { rerender } = render(<ErrorBanner error={apiError} fields={["prompt"]} />);
    expect(screen.getByRole("alert")).toHaveTextContent("persona_id: persona_id 'p-9' is not one of your personas");
    rerender(<ErrorBanner error={apiError} fields={["prompt", "persona_id"]} />);
    expect(screen.queryByRole("alert")).toBeNull();
    rerender(<ErrorBanner error={new ApiError(402, { detail: "needs 12 credits, 3 available" })} />);
    expect(screen.getByRole("alert")).toHaveTextContent("needs 12 credits, 3 available");
  });
});
