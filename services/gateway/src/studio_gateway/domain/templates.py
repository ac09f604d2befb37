"""Platform templates for Create Studio: the exact sizes each channel publishes at, with sensible defaults.

A template fixes the delivered width × height (providers generate at their own sizes, and the output is
then resized or cropped to the template's), and suggests a style preset, a quality tier, a provider/model
and a prompt scaffold that frames the user's words for that placement. Search and recommendation run over
the same table.

Pure data and string handling: no I/O.
"""

import re
from dataclasses import dataclass
from math import gcd

from studio_gateway.domain.style_presets import get_style_preset

PLATFORMS: tuple[str, ...] = (
    "instagram",
    "facebook",
    "twitter",
    "linkedin",
    "youtube",
    "pinterest",
    "tiktok",
    "blog",
    "email",
    "website",
    "display_ads",
    "ecommerce",
)
# Display names are searchable too, so "x" and "display" find their platforms.
PLATFORM_LABELS: dict[str, str] = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "twitter": "X (Twitter)",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "pinterest": "Pinterest",
    "tiktok": "TikTok",
    "blog": "Blog",
    "email": "Email",
    "website": "Website",
    "display_ads": "Display ads",
    "ecommerce": "E-commerce",
}
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


# Provider/model choices: premium → Stability Ultra or Ideogram Quality; layouts that carry words (ads,
# thumbnails, banners) → Ideogram, which renders text best; drafts → Qwen Image or Stability Core.
ULTRA = ("stability", "ultra")
CORE = ("stability", "core")
SD35_LARGE = ("stability", "sd3.5-large")
SD35_TURBO = ("stability", "sd3.5-large-turbo")
SD35_MEDIUM = ("stability", "sd3.5-medium")
IDEOGRAM_TURBO = ("wavespeed", "ideogram-v3-turbo")
IDEOGRAM_BALANCED = ("wavespeed", "ideogram-v3-balanced")
IDEOGRAM_QUALITY = ("wavespeed", "ideogram-v3-quality")
QWEN = ("wavespeed", "qwen-image")
FLUX_SCHNELL = ("huggingface", "black-forest-labs/FLUX.1-schnell")
GEMINI_IMAGE = ("gemini", "gemini-2.5-flash-image")

TEMPLATES: tuple[Template, ...] = (
    # --- Instagram ---
    _t(
        "instagram-feed-square",
        "Instagram Feed Square",
        "instagram",
        "social_media",
        (1080, 1080),
        "lifestyle",
        "standard",
        SD35_LARGE,
        ("product launch", "brand awareness", "announcement", "promotion", "engagement post"),
        "Square post for the Instagram grid; one bold subject that reads at thumbnail size.",
        "Scroll-stopping square Instagram post, {prompt}, bold focal subject, clean uncluttered background, "
        "centered composition",
    ),
    _t(
        "instagram-feed-portrait",
        "Instagram Feed Portrait",
        "instagram",
        "social_media",
        (1080, 1350),
        "editorial",
        "premium",
        ULTRA,
        ("product launch", "fashion lookbook", "portrait", "lifestyle story", "promotion"),
        "Tall 4:5 feed post that takes the most screen space in the Instagram feed.",
        "Vertical Instagram feed photo, {prompt}, subject filling the tall frame, magazine-quality styling",
    ),
    _t(
        "instagram-story",
        "Instagram Story",
        "instagram",
        "social_media",
        (1080, 1920),
        "lifestyle",
        "standard",
        SD35_TURBO,
        ("product launch", "behind the scenes", "flash sale", "event countdown", "poll background"),
        "Full-screen vertical story; keeps the top and bottom 250 px clear for stickers and replies.",
        "Full-screen vertical Instagram story background, {prompt}, subject in the middle third, "
        "open space at top and bottom",
    ),
    _t(
        "instagram-reel-cover",
        "Instagram Reel Cover",
        "instagram",
        "social_media",
        (1080, 1920),
        "cinematic",
        "standard",
        IDEOGRAM_BALANCED,
        ("reel cover", "video thumbnail", "tutorial series", "episode cover"),
        "Cover frame for a Reel; the centre square shows on the profile grid, so the key subject sits there.",
        "Vertical Instagram Reel cover frame, {prompt}, key subject centered for the square grid crop, "
        "dramatic lighting, space for a short title",
    ),
    # --- Facebook ---
    _t(
        "facebook-feed",
        "Facebook Feed Post",
        "facebook",
        "social_media",
        (1200, 630),
        "photographic",
        "standard",
        CORE,
        ("link share", "announcement", "product launch", "community update", "event promotion"),
        "Landscape post and link-share image for the Facebook news feed.",
        "Landscape Facebook feed image, {prompt}, clear subject, friendly and inviting, natural light",
    ),
    _t(
        "facebook-feed-square",
        "Facebook Feed Square",
        "facebook",
        "social_media",
        (1080, 1080),
        "flat-illustration",
        "standard",
        IDEOGRAM_TURBO,
        ("promotion", "quote post", "engagement post", "product launch", "tips"),
        "Square feed post that shows the same on desktop and mobile.",
        "Square Facebook post, {prompt}, bold shapes, high contrast, readable on a phone screen",
    ),
    _t(
        "facebook-story",
        "Facebook Story",
        "facebook",
        "social_media",
        (1080, 1920),
        "lifestyle",
        "draft",
        QWEN,
        ("behind the scenes", "flash sale", "daily update", "event countdown"),
        "Full-screen vertical story for Facebook and Messenger.",
        "Full-screen vertical Facebook story, {prompt}, subject in the centre, clear space at top and bottom",
    ),
    _t(
        "facebook-cover",
        "Facebook Page Cover",
        "facebook",
        "social_media",
        (820, 312),
        "minimalist",
        "premium",
        ULTRA,
        ("page cover", "brand identity", "seasonal campaign", "header image"),
        "Wide page cover photo; the profile picture overlaps the lower left, so detail sits right of centre.",
        "Wide panoramic Facebook cover banner, {prompt}, main detail right of centre, calm left side, "
        "lots of horizontal breathing room",
    ),
    # --- X / Twitter ---
    _t(
        "twitter-post",
        "X (Twitter) Post",
        "twitter",
        "social_media",
        (1200, 675),
        "digital-art",
        "standard",
        FLUX_SCHNELL,
        ("news update", "announcement", "product launch", "thread illustration", "engagement post"),
        "In-stream 16:9 image for a post on X; shows uncropped in the timeline.",
        "Eye-catching 16:9 social image for X, {prompt}, strong silhouette, vivid contrast, simple backdrop",
    ),
    _t(
        "twitter-card",
        "X (Twitter) Link Card",
        "twitter",
        "social_media",
        (1200, 600),
        "flat-illustration",
        "standard",
        IDEOGRAM_TURBO,
        ("link share", "blog promotion", "article preview", "open graph image"),
        "Summary-card image shown under shared links on X.",
        "Wide 2:1 link preview card, {prompt}, simple graphic composition, space for a headline on the left",
    ),
    _t(
        "twitter-header",
        "X (Twitter) Header",
        "twitter",
        "social_media",
        (1500, 500),
        "minimalist",
        "premium",
        IDEOGRAM_QUALITY,
        ("profile header", "brand identity", "campaign banner", "header image"),
        "Profile header banner for X; the avatar covers the lower left.",
        "Panoramic 3:1 profile header, {prompt}, balanced horizontal composition, quiet lower left corner",
    ),
    # --- LinkedIn ---
    _t(
        "linkedin-post",
        "LinkedIn Post",
        "linkedin",
        "social_media",
        (1200, 627),
        "corporate",
        "standard",
        SD35_MEDIUM,
        ("thought leadership", "company news", "hiring", "product launch", "event promotion"),
        "Landscape feed image for LinkedIn posts and shared links.",
        "Professional LinkedIn feed image, {prompt}, polished business setting, confident and credible mood",
    ),
    _t(
        "linkedin-post-square",
        "LinkedIn Post Square",
        "linkedin",
        "social_media",
        (1080, 1080),
        "infographic",
        "standard",
        IDEOGRAM_BALANCED,
        ("statistics", "tips", "carousel slide", "thought leadership", "product launch"),
        "Square LinkedIn post, well suited to charts, tips and carousel slides.",
        "Square professional LinkedIn graphic, {prompt}, clear visual hierarchy, clean corporate palette",
    ),
    _t(
        "linkedin-article-cover",
        "LinkedIn Article Cover",
        "linkedin",
        "blog_content",
        (1920, 1080),
        "editorial",
        "premium",
        ULTRA,
        ("article cover", "newsletter header", "thought leadership", "blog post"),
        "Cover image for a LinkedIn article or newsletter edition.",
        "Editorial cover image for a business article, {prompt}, sophisticated conceptual composition, "
        "wide cinematic framing",
    ),
    _t(
        "linkedin-company-cover",
        "LinkedIn Company Cover",
        "linkedin",
        "social_media",
        (1128, 191),
        "corporate",
        "premium",
        IDEOGRAM_QUALITY,
        ("company page", "brand identity", "employer branding", "header image"),
        "Very wide company-page banner; the logo overlaps the left end.",
        "Ultra-wide corporate banner strip, {prompt}, subtle pattern flowing horizontally, "
        "clear left end for a logo",
    ),
    # --- YouTube ---
    _t(
        "youtube-thumbnail",
        "YouTube Thumbnail",
        "youtube",
        "social_media",
        (1280, 720),
        "cinematic",
        "premium",
        IDEOGRAM_QUALITY,
        ("video thumbnail", "tutorial", "vlog", "review video", "clickable cover"),
        "Video thumbnail that must read at small sizes: big subject, strong contrast, room for a title.",
        "High-contrast YouTube thumbnail, {prompt}, expressive close-up subject, bold saturated colors, "
        "space for a large title",
    ),
    _t(
        "youtube-channel-art",
        "YouTube Channel Art",
        "youtube",
        "social_media",
        (2560, 1440),
        "digital-art",
        "premium",
        ULTRA,
        ("channel banner", "brand identity", "header image"),
        "Channel banner; only the central 1546×423 area is safe on every device.",
        "YouTube channel banner, {prompt}, key elements inside a central horizontal band, "
        "background extending softly to the edges",
    ),
    # --- Pinterest ---
    _t(
        "pinterest-pin",
        "Pinterest Pin",
        "pinterest",
        "social_media",
        (1000, 1500),
        "flat-lay",
        "standard",
        SD35_LARGE,
        ("recipe", "diy guide", "home decor", "product inspiration", "infographic"),
        "Standard 2:3 pin, the shape Pinterest ranks best.",
        "Tall Pinterest pin, {prompt}, aspirational styling, airy bright light, vertical composition",
    ),
    _t(
        "pinterest-story-pin",
        "Pinterest Idea Pin",
        "pinterest",
        "social_media",
        (1080, 1920),
        "lifestyle",
        "draft",
        QWEN,
        ("step by step", "diy guide", "recipe", "inspiration board"),
        "Full-screen 9:16 idea pin page.",
        "Full-screen vertical idea pin page, {prompt}, inspiring lifestyle scene, clear focal point",
    ),
    # --- TikTok ---
    _t(
        "tiktok-video-cover",
        "TikTok Video Cover",
        "tiktok",
        "social_media",
        (1080, 1920),
        "neon-punk",
        "standard",
        IDEOGRAM_TURBO,
        ("video cover", "video thumbnail", "trend", "challenge", "product launch"),
        "Vertical cover for a TikTok video; the bottom fifth is hidden behind captions.",
        "Vertical TikTok cover, {prompt}, energetic and playful, punchy colors, "
        "subject in the upper two thirds",
    ),
    # --- Blog ---
    _t(
        "blog-header",
        "Blog Header",
        "blog",
        "blog_content",
        (1200, 628),
        "flat-illustration",
        "standard",
        CORE,
        ("blog post", "article header", "open graph image", "how-to guide"),
        "Featured image for a blog post, also used as the social share image.",
        "Blog post featured image, {prompt}, conceptual illustration of the topic, clean modern style",
    ),
    _t(
        "blog-wide-hero",
        "Blog Wide Hero",
        "blog",
        "blog_content",
        (1920, 823),
        "cinematic",
        "premium",
        ULTRA,
        ("long-form article", "feature story", "case study", "landing section"),
        "Ultra-wide 21:9 hero across the top of a long-form article.",
        "Ultra-wide cinematic hero image, {prompt}, sweeping panoramic composition, atmospheric depth",
    ),
    # --- Email ---
    _t(
        "email-banner",
        "Email Banner",
        "email",
        "email_marketing",
        (600, 200),
        "flat-illustration",
        "standard",
        IDEOGRAM_BALANCED,
        ("newsletter header", "promotion", "seasonal campaign", "product launch", "sale announcement"),
        "Header banner for a 600 px wide email layout.",
        "Email header banner, {prompt}, simple bold shapes, brand colors, readable on small screens",
    ),
    _t(
        "email-product",
        "Email Product Block",
        "email",
        "email_marketing",
        (600, 600),
        "product-studio",
        "standard",
        SD35_MEDIUM,
        ("product feature", "new arrival", "cart reminder", "recommendation"),
        "Square product image for a block inside an email.",
        "Clean square product image for an email, {prompt}, soft studio light, plain light background",
    ),
    # --- Website ---
    _t(
        "website-hero",
        "Website Hero",
        "website",
        "brand_assets",
        (1920, 1080),
        "photographic",
        "premium",
        ULTRA,
        ("landing page", "homepage hero", "product launch", "brand story"),
        "Full-width hero image for a landing page or homepage.",
        "Full-width website hero image, {prompt}, premium atmosphere, calm area on one side for a headline",
    ),
    _t(
        "website-banner",
        "Website Banner",
        "website",
        "ad_creative",
        (1200, 400),
        "minimalist",
        "standard",
        IDEOGRAM_BALANCED,
        ("promotion", "section header", "sale announcement", "seasonal campaign"),
        "Wide 3:1 banner for promotions and section headers on a site.",
        "Wide promotional website banner, {prompt}, clean layout, strong focal element on one side",
    ),
    _t(
        "logo-mark",
        "Logo Mark",
        "website",
        "brand_assets",
        (1024, 1024),
        "minimalist",
        "premium",
        IDEOGRAM_QUALITY,
        ("logo", "brand identity", "app icon", "favicon concept"),
        "Square logo mark or symbol concept on a plain background.",
        "Simple memorable logo mark, {prompt}, flat vector symbol, centered on a plain white background, "
        "scalable shapes",
    ),
    _t(
        "brand-pattern",
        "Brand Pattern",
        "website",
        "brand_assets",
        (1024, 1024),
        "tile-texture",
        "standard",
        SD35_LARGE,
        ("brand pattern", "background texture", "packaging", "wallpaper"),
        "Seamless repeating pattern for backgrounds, packaging and slides.",
        "Seamless repeating brand pattern, {prompt}, evenly spaced motifs, tileable edges",
    ),
    # --- Display ads (IAB standard units) ---
    _t(
        "display-medium-rectangle",
        "Display Ad Medium Rectangle",
        "display_ads",
        "ad_creative",
        (300, 250),
        "flat-illustration",
        "standard",
        IDEOGRAM_BALANCED,
        ("display ad", "retargeting", "promotion", "sale announcement"),
        "IAB 300×250 medium rectangle, the most widely served display unit.",
        "Compact display ad creative, {prompt}, one clear product or message, bold call-to-action area",
    ),
    _t(
        "display-leaderboard",
        "Display Ad Leaderboard",
        "display_ads",
        "ad_creative",
        (728, 90),
        "minimalist",
        "standard",
        IDEOGRAM_BALANCED,
        ("display ad", "header placement", "brand awareness"),
        "IAB 728×90 leaderboard across the top of a page.",
        "Very wide thin leaderboard ad strip, {prompt}, elements arranged in a single horizontal row",
    ),
    _t(
        "display-wide-skyscraper",
        "Display Ad Wide Skyscraper",
        "display_ads",
        "ad_creative",
        (160, 600),
        "flat-illustration",
        "standard",
        IDEOGRAM_TURBO,
        ("display ad", "sidebar placement", "retargeting"),
        "IAB 160×600 wide skyscraper for sidebars.",
        "Tall narrow skyscraper ad, {prompt}, elements stacked vertically, "
        "clear call-to-action at the bottom",
    ),
    _t(
        "display-half-page",
        "Display Ad Half Page",
        "display_ads",
        "ad_creative",
        (300, 600),
        "product-studio",
        "premium",
        IDEOGRAM_QUALITY,
        ("display ad", "premium placement", "product launch", "promotion"),
        "IAB 300×600 half page, a high-impact unit with room for imagery and copy.",
        "Tall premium display ad, {prompt}, hero product in the upper half, space for copy below",
    ),
    _t(
        "display-billboard",
        "Display Ad Billboard",
        "display_ads",
        "ad_creative",
        (970, 250),
        "photographic",
        "premium",
        IDEOGRAM_QUALITY,
        ("display ad", "brand awareness", "homepage takeover", "product launch"),
        "IAB 970×250 billboard at the top of a page.",
        "Wide billboard display ad, {prompt}, striking panoramic visual, clear zone for headline and button",
    ),
    # --- E-commerce product shots ---
    _t(
        "product-square",
        "Product Shot Square",
        "ecommerce",
        "product",
        (2000, 2000),
        "product-studio",
        "premium",
        ULTRA,
        ("product listing", "marketplace", "catalog", "packshot"),
        "Square main product image at marketplace resolution (zoom-ready).",
        "Commercial packshot of {prompt}, centered on a seamless white background, softbox lighting, "
        "sharp detail, true-to-life color",
    ),
    _t(
        "product-portrait",
        "Product Shot Portrait",
        "ecommerce",
        "product",
        (1600, 2000),
        "product-studio",
        "premium",
        GEMINI_IMAGE,
        ("product listing", "fashion", "apparel", "catalog"),
        "4:5 portrait product image for fashion and mobile-first storefronts.",
        "Portrait product photo of {prompt}, full product visible, soft shadow, neutral studio backdrop",
    ),
    _t(
        "product-lifestyle",
        "Product Lifestyle Shot",
        "ecommerce",
        "product",
        (2000, 1500),
        "lifestyle",
        "standard",
        SD35_LARGE,
        ("product in use", "lifestyle imagery", "product page gallery", "social proof"),
        "4:3 in-context shot showing the product being used in a real setting.",
        "Lifestyle photo of {prompt} in use in a real everyday setting, natural light, authentic mood",
    ),
    _t(
        "product-flat-lay",
        "Product Flat Lay",
        "ecommerce",
        "product",
        (2000, 2000),
        "flat-lay",
        "draft",
        CORE,
        ("bundle", "collection", "gift guide", "product page gallery"),
        "Top-down arrangement of a product with props, for collections and gift guides.",
        "Overhead flat lay of {prompt}, neatly arranged complementary props, styled textured surface",
    ),
)

_TEMPLATES_BY_ID: dict[str, Template] = {template.id: template for template in TEMPLATES}
if len(_TEMPLATES_BY_ID) != len(TEMPLATES):  # a duplicate id would silently shadow a template
    raise ValueError("template ids must be unique")


def get_template(template_id: str) -> Template | None:
    return _TEMPLATES_BY_ID.get(template_id.strip().lower()) if template_id else None


def list_templates(platform: str | None = None, category: str | None = None) -> list[Template]:
    """Templates in catalog order, filtered by platform and/or category (case-insensitive)."""
    wanted_platform = platform.strip().lower() if platform is not None else None
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


# ---------------------------------------------------------------------------------------------------------
# Search and recommendation
# ---------------------------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "we",
        "with",
        "your",
    }
)


def _normalise(word: str) -> str:
    # Crude plural folding so "thumbnails" finds "thumbnail" and "ads" finds "ad"; applied to both sides.
    if len(word) >= 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> set[str]:
    return {_normalise(word) for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOPWORDS}


def _field_tokens(template: Template) -> dict[str, set[str]]:
    return {
        "name": _tokens(template.name),
        "platform": _tokens(f"{template.platform} {PLATFORM_LABELS[template.platform]}"),
        "use_cases": _tokens(" ".join(template.use_cases)),
        "description": _tokens(template.description),
        "category": _tokens(template.category),
    }


_FIELD_TOKENS: dict[str, dict[str, set[str]]] = {t.id: _field_tokens(t) for t in TEMPLATES}

# Search is for finding a template by what it is called, so the name weighs most.
_SEARCH_WEIGHTS = {"name": 3, "platform": 2, "use_cases": 2, "description": 1}
# Recommendation is for finding a template by what it is for, so the use cases weigh most.
_RECOMMEND_WEIGHTS = {"use_cases": 3, "name": 2, "description": 1, "category": 1}


def _score(template: Template, query: set[str], weights: dict[str, int]) -> tuple[int, int]:
    """(query words matched, weighted hits). Matching more distinct words ranks first, then weight."""
    fields = _FIELD_TOKENS[template.id]
    matched = 0
    total = 0
    for word in query:
        hits = sum(weight for field, weight in weights.items() if word in fields[field])
        matched += hits > 0
        total += hits
    return matched, total


def _ranked(
    candidates: list[Template], query: set[str], weights: dict[str, int]
) -> list[tuple[Template, int]]:
    """Candidates with a positive score, best first; ties keep catalog order (sorted is stable)."""
    scored = [(template, _score(template, query, weights)) for template in candidates]
    scored.sort(key=lambda item: (-item[1][0], -item[1][1]))
    return [(template, score[1]) for template, score in scored]


def search_templates(query: str, limit: int = 20) -> list[Template]:
    """Templates matching any word of `query` in name, description, use cases or platform, best first."""
    words = _tokens(query or "")
    if not words or limit <= 0:
        return []
    ranked = _ranked(list(TEMPLATES), words, _SEARCH_WEIGHTS)
    return [template for template, score in ranked if score > 0][:limit]


def recommend_templates(use_case: str, platform: str | None = None, limit: int = 5) -> list[Template]:
    """Templates suited to a use case, best first, restricted to `platform` when it is a known one.

    With a platform, the rest of that platform's templates follow the matches, so a caller always gets
    that platform's formats even when the use case matches nothing. Without one, only matches are returned
    unless nothing matches, in which case the catalog's leading (most used) formats are suggested.
    """
    if limit <= 0:
        return []
    wanted = platform.strip().lower() if platform else None
    scoped = wanted in PLATFORMS
    candidates = list_templates(platform=wanted) if scoped else list(TEMPLATES)
    ranked = _ranked(candidates, _tokens(use_case or ""), _RECOMMEND_WEIGHTS)
    matches = [template for template, score in ranked if score > 0]
    if scoped or not matches:
        matches += [template for template, score in ranked if score == 0]
    return matches[:limit]
