"""Prompt assembly: template scaffold, style preset fragments and optional enhancement, in that order."""

from studio_gateway.domain.style_presets import StylePreset, apply_style
from studio_gateway.domain.templates import Template, build_prompt

QUALITY_WORDS = {
    "draft": "clear composition",
    "standard": "professional composition, balanced lighting, sharp focus",
    "premium": "award-winning composition, rich detail, refined lighting, sharp focus, high dynamic range",
}
ENHANCE_NEGATIVE = "blurry, low quality, distorted, watermark, text artifacts"


def enhance(prompt: str, quality: str) -> str:
    """Deterministic enhancement: name what a strong marketing image has, without changing the subject."""
    words = QUALITY_WORDS.get(quality, QUALITY_WORDS["standard"])
    missing = [w.strip() for w in words.split(",") if w.strip().lower() not in prompt.lower()]
    return f"{prompt}, {', '.join(missing)}" if missing else prompt


def assemble(
    prompt: str,
    negative: str | None,
    template: Template | None,
    preset: StylePreset | None,
    quality: str,
    enhance_prompt: bool,
) -> tuple[str, str]:
    text = build_prompt(template, prompt) if template else prompt
    text, negative_text = apply_style(text, negative, preset)
    if enhance_prompt:
        text = enhance(text, quality)
        extra = [w for w in ENHANCE_NEGATIVE.split(", ") if w not in negative_text]
        negative_text = ", ".join(filter(None, [negative_text, *extra]))
    return text, negative_text
