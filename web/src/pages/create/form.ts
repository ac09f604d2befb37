// The Create form as the user fills it (strings from inputs), its checks, and the API body it becomes.

export const ASPECT_RATIOS = ["21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21"] as const;
export const QUALITIES = ["draft", "standard", "premium"] as const;
export const OUTPUT_FORMATS = ["png", "jpeg", "webp"] as const;
const MIN_SIDE = 64;
const MAX_SIDE = 4096;
const MAX_SEED = 4_294_967_294;

export interface CreateForm {
  prompt: string;
  templateId: string | null;
  stylePreset: string | null;
  personaId: string;
  provider: string;
  model: string;
  numVariations: string;
  seed: string;
  negativePrompt: string;
  aspectRatio: string;
  width: string;
  height: string;
  quality: string;
  guidanceScale: string;
  steps: string;
  enhancePrompt: boolean;
  outputFormat: string;
}

export const EMPTY_FORM: CreateForm = {
  prompt: "", templateId: null, stylePreset: null, personaId: "", provider: "auto", model: "", numVariations: "1",
  seed: "", negativePrompt: "", aspectRatio: "", width: "", height: "", quality: "", guidanceScale: "", steps: "",
  enhancePrompt: false, outputFormat: "png",
};

/** Problems keyed by the API's field names, so they sit where the API's own messages would. */
export type FormProblems = Partial<Record<string, string>>;

function integer(text: string): number | null {
  const value = Number(text);
  return text.trim() !== "" && Number.isInteger(value) ? value : null;
}

function checkRange(problems: FormProblems, field: string, text: string, min: number, max: number,
  whole = true): void {
  if (!text.trim()) return;
  const value = Number(text);
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    problems[field] = whole ? "Enter a whole number." : "Enter a number.";
  } else if (value < min || value > max) {
    problems[field] = `Enter a number from ${min} to ${max}.`;
  }
}

/** Everything the form can tell before asking the API; `forPrice` skips the prompt (the price needs none). */
export function validateCreate(form: CreateForm, forPrice = false): FormProblems {
  const problems: FormProblems = {};
  if (!forPrice && !form.prompt.trim()) problems.prompt = "Write a prompt: it says what to draw.";
  const variations = integer(form.numVariations);
  if (variations === null || variations < 1 || variations > 10) problems.num_variations = "Choose 1 to 10 variations.";
  checkRange(problems, "seed", form.seed, 0, MAX_SEED);
  checkRange(problems, "guidance_scale", form.guidanceScale, 0, 30, false);
  checkRange(problems, "steps", form.steps, 1, 150);
  if (!form.templateId) {
    checkRange(problems, "width", form.width, MIN_SIDE, MAX_SIDE);
    checkRange(problems, "height", form.height, MIN_SIDE, MAX_SIDE);
    const hasWidth = form.width.trim() !== "";
    const hasHeight = form.height.trim() !== "";
    if (hasWidth !== hasHeight) problems[hasWidth ? "height" : "width"] = "Give both width and height, or neither.";
    else if (hasWidth && form.aspectRatio) problems.aspect_ratio = "Choose a size or an aspect ratio, not both.";
  }
  return problems;
}

function optionalNumber(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/** The JSON body for POST /create and POST /estimate-cost (fields left empty are left out). */
export function createBody(form: CreateForm, promptForPrice?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: form.prompt.trim() || promptForPrice || "",
    provider: form.provider || "auto",
    num_variations: Number(form.numVariations),
    output_format: form.outputFormat,
    enhance_prompt: form.enhancePrompt,
  };
  const optional: Record<string, unknown> = {
    template_id: form.templateId ?? undefined,
    style_preset: form.stylePreset ?? undefined,
    persona_id: form.personaId || undefined,
    model: form.model || undefined,
    seed: optionalNumber(form.seed),
    negative_prompt: form.negativePrompt.trim() || undefined,
    quality: form.quality || undefined,
    guidance_scale: optionalNumber(form.guidanceScale),
    steps: optionalNumber(form.steps),
  };
  if (!form.templateId) {
    Object.assign(optional, {
      aspect_ratio: form.aspectRatio || undefined,
      width: optionalNumber(form.width),
      height: optionalNumber(form.height),
    });
  }
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
  return body;
}

/** Fields the page shows with their own error line (the rest of an API error goes in the banner). */
export const FORM_FIELDS = ["prompt", "template_id", "style_preset", "persona_id", "provider", "model",
  "num_variations", "seed", "negative_prompt", "aspect_ratio", "width", "height", "quality", "guidance_scale",
  "steps", "output_format"] as const;
