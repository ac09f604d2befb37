"""Platform templates for Create Studio: the exact sizes each channel publishes at, with sensible defaults.

A template fixes the delivered width × height (providers generate at their own sizes, and the output is
then resized or cropped to the template's), and suggests a style preset, a quality tier, a provider/model
and a prompt scaffold that frames the user's words for that placement. The rows are data in `catalogue/`;
search and recommendation over them are in `template_search.py`.

Pure data and string handling: no I/O.
"""

import re
from dataclasses import dataclass
from math import gcd

from studio_common.platforms import PLATFORM_CATALOGUE, canonical_platform
from studio_gateway.domain.catalogue.templates_social import SOCIAL_TEMPLATE_ROWS
from studio_gateway.domain.catalogue.templates_web import WEB_TEMPLATE_ROWS
from studio_gateway.domain.style_presets import get_style_preset

# Templates name their platform by a catalogue id (`x`, not `twitter`), like the social formats do.
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_CATALOGUE)
CATEGORIES: tuple[str, ...] = (
    "social_media",
    "blog_content",
    "ad_creative",
    "product",
    "brand_assets",
    "email_marketing",
)
QUALITIES: tuple[str, ...] = ("draft", "standard", "premium")

# ---------------------------------------------------------------------------------------------------------
# Aspect labels
# ---------------------------------------------------------------------------------------------------------

# Ratios people recognise by name. A size whose exact ratio has large terms (1200×630 is 40:21) is shown
# as one of these when it is within 2%, because that is how platforms document it ("1.91:1", "21:9").
NAMED_RATIOS: dict[str, float] = {
    "1:1": 1.0,
    "5:4": 5 / 4,
    "4:5": 4 / 5,
    "4:3": 4 / 3,
    "3:4": 3 / 4,
    "3:2": 3 / 2,
    "2:3": 2 / 3,
    "16:9": 16 / 9,
    "9:16": 9 / 16,
    "1.91:1": 1.91,
    "2:1": 2.0,
    "1:2": 0.5,
    "21:9": 21 / 9,
    "9:21": 9 / 21,
    "3:1": 3.0,
    "1:3": 1 / 3,
}
_NAMED_TOLERANCE = 0.02
_SMALL_TERM = 21


def aspect_label(width: int, height: int) -> str:
    """The aspect-ratio label for a size.

    Rule: reduce width:height by their gcd. If both reduced terms are at most 21, that exact ratio is the
    label (1080×1350 → "4:5", 300×250 → "6:5", 160×600 → "4:15"). Otherwise the label is the nearest
    named ratio within 2% (1200×630 → "1.91:1", 1920×823 → "21:9"), and failing that a two-decimal ratio
    against 1: "{w/h:.2f}:1" for landscape (820×312 → "2.63:1", 1128×191 → "5.91:1"), "1:{h/w:.2f}" for
    portrait.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"size must be positive, got {width}×{height}")
    divisor = gcd(width, height)
    w, h = width // divisor, height // divisor
    if w <= _SMALL_TERM and h <= _SMALL_TERM:
        return f"{w}:{h}"
    ratio = width / height
    label, named = min(NAMED_RATIOS.items(), key=lambda item: abs(item[1] - ratio) / item[1])
    if abs(named - ratio) / named <= _NAMED_TOLERANCE:
        return label
    return f"{ratio:.2f}:1" if ratio >= 1 else f"1:{height / width:.2f}"


# ---------------------------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    platform: str
    category: str
    width: int
    height: int
    aspect_ratio: str
    style_preset: str
    quality: str
    provider: str
    model: str
    use_cases: tuple[str, ...]
    description: str
    prompt_scaffold: str

    def __post_init__(self) -> None:
        problems = []
        if self.platform not in PLATFORMS:
            problems.append(f"unknown platform {self.platform!r}")
        if self.category not in CATEGORIES:
            problems.append(f"unknown category {self.category!r}")
        if self.quality not in QUALITIES:
            problems.append(f"unknown quality {self.quality!r}")
        if self.width <= 0 or self.height <= 0:
            problems.append(f"bad size {self.width}×{self.height}")
        elif self.aspect_ratio != aspect_label(self.width, self.height):
            problems.append(f"aspect {self.aspect_ratio!r} does not match {self.width}×{self.height}")
        if self.prompt_scaffold.count("{prompt}") != 1:
            problems.append("prompt scaffold must contain {prompt} exactly once")
        if get_style_preset(self.style_preset) is None:
            problems.append(f"unknown style preset {self.style_preset!r}")
        if problems:
            raise ValueError(f"template {self.id!r}: " + "; ".join(problems))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform,
            "category": self.category,
            "width": self.width,
            "height": self.height,
            "aspect_ratio": self.aspect_ratio,
            "style_preset": self.style_preset,
            "quality": self.quality,
            "provider": self.provider,
            "model": self.model,
            "use_cases": list(self.use_cases),
            "description": self.description,
            "prompt_scaffold": self.prompt_scaffold,
        }


def _t(
    id: str,
    name: str,
    platform: str,
    category: str,
    size: tuple[int, int],
    style_preset: str,
    quality: str,
    provider_model: tuple[str, str],
    use_cases: tuple[str, ...],
    description: str,
    prompt_scaffold: str,
) -> Template:
    """Build a template with its aspect label derived from the size, so the two cannot disagree."""
    width, height = size
    provider, model = provider_model
    return Template(
        id,
        name,
        platform,
        category,
        width,
        height,
        aspect_label(width, height),
        style_preset,
        quality,
        provider,
        model,
        use_cases,
        description,
        prompt_scaffold,
    )


TEMPLATES: tuple[Template, ...] = tuple(_t(*row) for row in (*SOCIAL_TEMPLATE_ROWS, *WEB_TEMPLATE_ROWS))

_TEMPLATES_BY_ID: dict[str, Template] = {template.id: template for template in TEMPLATES}
if len(_TEMPLATES_BY_ID) != len(TEMPLATES):  # a duplicate id would silently shadow a template
    raise ValueError("template ids must be unique")


def get_template(template_id: str) -> Template | None:
    return _TEMPLATES_BY_ID.get(template_id.strip().lower()) if template_id else None


def list_templates(platform: str | None = None, category: str | None = None) -> list[Template]:
    """Templates in catalog order, filtered by platform (an id or alias: `twitter` finds X's) and/or
    category, case-insensitive."""
    wanted_platform = canonical_platform(platform) if platform is not None else None
    wanted_category = category.strip().lower() if category is not None else None
    return [
        template
        for template in TEMPLATES
        if wanted_platform in (None, template.platform) and wanted_category in (None, template.category)
    ]


def build_prompt(template: Template, prompt: str) -> str:
    """The user's prompt framed by the template's scaffold.

    `str.replace` rather than `str.format`, so braces typed by the user are kept as they are.
    """
    text = template.prompt_scaffold.replace("{prompt}", (prompt or "").strip())
    # With an empty prompt, drop the separators it leaves behind (", ," or a leading ", ").
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    return re.sub(r"\s+", " ", text).strip(" ,")
