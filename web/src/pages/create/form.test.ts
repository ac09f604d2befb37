import { describe, expect, it } from "vitest";
import { createBody, EMPTY_FORM, validateCreate } from "./form";

const filled = { ...EMPTY_FORM, prompt: "a lighthouse at dawn" };

describe("validateCreate", () => {
  it("accepts a prompt with the defaults", () => {
    expect(validateCreate(filled)).toEqual({});
  });

  it("asks for a prompt, except when only pricing", () => {
    expect(validateCreate(EMPTY_FORM).prompt).toBe("Write a prompt: it says what to draw.");
    expect(validateCreate(EMPTY_FORM, true)).toEqual({});
  });

  it("names the field of every out-of-range number", () => {
    const problems = validateCreate({ ...filled, numVariations: "11", seed: "-1", steps: "2.5", guidanceScale: "31" });
    expect(problems).toEqual({
      num_variations: "Choose 1 to 10 variations.",
      seed: "Enter a number from 0 to 4294967294.",
      steps: "Enter a whole number.",
      guidance_scale: "Enter a number from 0 to 30.",
    });
  });

  it("wants both sides or neither, and not together with an aspect ratio", () => {
    expect(validateCreate({ ...filled, width: "1024" })).toEqual({ height: "Give both width and height, or neither." });
    expect(validateCreate({ ...filled, width: "1024", height: "8000" })).toEqual({ height: "Enter a number from 64 to 4096." });
    expect(validateCreate({ ...filled, width: "1024", height: "1024", aspectRatio: "16:9" }))
      .toEqual({ aspect_ratio: "Choose a size or an aspect ratio, not both." });
  });

  it("ignores size fields a template overrides", () => {
    expect(validateCreate({ ...filled, templateId: "instagram-story", width: "12" })).toEqual({});
  });
});

describe("createBody", () => {
  it("sends only what was filled in, as numbers", () => {
    expect(createBody({ ...filled, numVariations: "2", seed: "42", templateId: "instagram-story", width: "512" }))
      .toEqual({
        prompt: "a lighthouse at dawn", provider: "auto", num_variations: 2, output_format: "png",
        enhance_prompt: false, template_id: "instagram-story", seed: 42,
      });
  });

  it("prices an empty prompt with a stand-in", () => {
    expect(createBody(EMPTY_FORM, "price preview").prompt).toBe("price preview");
  });

  it("passes size, aspect ratio and advanced fields without a template", () => {
    const body = createBody({ ...filled, width: "2048", height: "1024", quality: "premium", steps: "30",
      guidanceScale: "7.5", negativePrompt: " blur ", model: "core", provider: "stability", personaId: "p-1",
      stylePreset: "cinematic" });
    expect(body).toMatchObject({ width: 2048, height: 1024, quality: "premium", steps: 30, guidance_scale: 7.5,
      negative_prompt: "blur", model: "core", provider: "stability", persona_id: "p-1", style_preset: "cinematic" });
  });
});
