import { describe, expect, it } from "vitest";
import { ApiError, errorFromResponse } from "./errors";

describe("ApiError", () => {
  it("keeps the gateway's 422 words and the field each one names", () => {
    const error = new ApiError(422, {
      message: "num_variations: Input should be less than or equal to 10",
      detail: [{ field: "num_variations", message: "Input should be less than or equal to 10", type: "x" }],
    });
    expect(error.message).toBe("num_variations: Input should be less than or equal to 10");
    expect(error.fieldMessage("num_variations")).toBe("Input should be less than or equal to 10");
    expect(error.fieldMessage("prompt")).toBeUndefined();
    expect(error.formMessage(["num_variations"])).toBeUndefined();
    expect(error.formMessage(["prompt"])).toBe("num_variations: Input should be less than or equal to 10");
  });

  it("reads FastAPI's default loc/msg shape, dropping the location part", () => {
    const error = new ApiError(422, { detail: [{ loc: ["body", "width"], msg: "too big" }, { loc: ["query", "q"], msg: "required" }] });
    expect(error.fieldMessage("width")).toBe("too big");
    expect(error.fieldMessage("q")).toBe("required");
    expect(error.formMessage(["width"])).toBe("q: required");
  });

  it("treats a body-level problem as the form's, not a field's", () => {
    const error = new ApiError(422, { message: "give both width and height, or neither",
      detail: [{ field: "body", message: "give both width and height, or neither" }] });
    expect(error.fieldMessage("width")).toBeUndefined();
    expect(error.formMessage(["width", "height"])).toBe("give both width and height, or neither");
  });

  it("shows a plain HTTP error's detail as worded", () => {
    const error = new ApiError(409, { detail: "operation op-1 is already succeeded; only queued operations can be canceled" });
    expect(error.status).toBe(409);
    expect(error.message).toBe("operation op-1 is already succeeded; only queued operations can be canceled");
    expect(error.formMessage([])).toBe(error.message);
  });

  it("falls back to the status when the body says nothing", () => {
    expect(new ApiError(502, "").message).toBe("The server answered 502.");
  });

  it("is built from a Response with a JSON or a text body", async () => {
    const json = await errorFromResponse(new Response(JSON.stringify({ detail: "template 'x' not found" }), { status: 404 }));
    expect(json.message).toBe("template 'x' not found");
    const text = await errorFromResponse(new Response("Bad gateway", { status: 502 }));
    expect(text.message).toBe("Bad gateway");
  });
});
