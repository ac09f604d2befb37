"""Style presets for Create Studio: named looks that add descriptive words to a prompt.

Each preset carries a prompt fragment (appended to the user's prompt), a negative fragment (things that
break the look) and, where Stability has a native `style_preset` value for the same look, that value, so
the Stability adapter can pass the native style instead of relying on prompt words alone. Every one of
Stability's 17 native values is reachable from at least one preset.

Pure data and string handling: no I/O.
"""

import re
from dataclasses import dataclass

# Stability's native `style_preset` values, as its image API accepts them.
STABILITY_STYLES: tuple[str, ...] = (
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
)

STYLE_CATEGORIES: tuple[str, ...] = ("photo", "illustration", "art", "design", "3d", "retro", "digital")


@dataclass(frozen=True, slots=True)
class StylePreset:
    id: str
    name: str
    category: str
    prompt_fragment: str
    negative_fragment: str
    stability_style: str | None = None

    def __post_init__(self) -> None:
        if self.category not in STYLE_CATEGORIES:
            raise ValueError(f"style preset {self.id!r}: unknown category {self.category!r}")
        if self.stability_style is not None and self.stability_style not in STABILITY_STYLES:
            raise ValueError(f"style preset {self.id!r}: unknown Stability style {self.stability_style!r}")
        if not self.prompt_fragment.strip() or not self.negative_fragment.strip():
            raise ValueError(f"style preset {self.id!r}: prompt and negative fragments are required")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "prompt_fragment": self.prompt_fragment,
            "negative_fragment": self.negative_fragment,
            "stability_style": self.stability_style,
        }


_P = StylePreset

STYLE_PRESETS: tuple[StylePreset, ...] = (
    # --- Stability's native styles, one preset each, named after the native value ---
    _P(
        "enhance",
        "Enhance",
        "photo",
        "enhanced detail, crisp focus, rich natural color, balanced contrast, high dynamic range",
        "blurry, low resolution, washed out, noisy, jpeg artifacts",
        "enhance",
    ),
    _P(
        "anime",
        "Anime",
        "illustration",
        "anime style, cel shading, clean line art, expressive eyes, vibrant flat colors, "
        "studio anime key visual",
        "photorealistic, 3d render, realistic skin texture, western cartoon",
        "anime",
    ),
    _P(
        "photographic",
        "Photographic",
        "photo",
        "professional photograph, DSLR, 50mm lens, natural lighting, sharp focus, realistic textures",
        "illustration, painting, cartoon, cgi, drawing, oversaturated",
        "photographic",
    ),
    _P(
        "digital-art",
        "Digital Art",
        "digital",
        "digital painting, concept art, smooth gradients, dramatic lighting, highly detailed, "
        "artstation quality",
        "photograph, grainy film, low detail, messy sketch lines",
        "digital-art",
    ),
    _P(
        "comic-book",
        "Comic Book",
        "illustration",
        "comic book art, bold ink outlines, halftone dots, dynamic panel composition, "
        "saturated primary colors",
        "photorealistic, soft focus, muted colors, 3d render",
        "comic-book",
    ),
    _P(
        "fantasy-art",
        "Fantasy Art",
        "art",
        "epic fantasy art, magical atmosphere, glowing light, ornate detail, painterly matte painting",
        "modern objects, mundane setting, flat lighting, photograph",
        "fantasy-art",
    ),
    _P(
        "line-art",
        "Line Art",
        "illustration",
        "clean line art, single weight black ink lines, white background, minimal shading, vector outline",
        "color fill, shading, gradients, photorealistic, texture noise",
        "line-art",
    ),
    _P(
        "analog-film",
        "Analog Film",
        "photo",
        "shot on 35mm analog film, fine film grain, warm faded tones, soft highlight roll-off, Kodak Portra",
        "digital sharpness, hdr, oversaturated, cgi, plastic skin",
        "analog-film",
    ),
    _P(
        "neon-punk",
        "Neon Punk",
        "digital",
        "neon punk, glowing magenta and cyan neon lights, dark urban night, "
        "wet reflective streets, high contrast",
        "daylight, pastel colors, flat lighting, rural scene",
        "neon-punk",
    ),
    _P(
        "isometric",
        "Isometric",
        "design",
        "isometric view, 30 degree axonometric projection, clean geometry, miniature diorama, soft shadows",
        "perspective distortion, fisheye, eye-level view, cluttered background",
        "isometric",
    ),
    _P(
        "low-poly",
        "Low Poly",
        "3d",
        "low poly 3d art, faceted triangular polygons, flat shaded facets, geometric simplicity, "
        "pastel palette",
        "smooth surfaces, high poly detail, photorealistic, noisy texture",
        "low-poly",
    ),
    _P(
        "origami",
        "Origami",
        "3d",
        "origami paper sculpture, crisp folded paper, visible creases, soft studio lighting, paper craft",
        "fabric, plastic, metal, photorealistic skin, torn paper",
        "origami",
    ),
    _P(
        "modeling-compound",
        "Modeling Compound",
        "3d",
        "plasticine modeling compound figures, handmade clay texture, fingerprints in clay, "
        "soft rounded forms",
        "glossy cgi, hard edges, photorealistic humans, metallic surfaces",
        "modeling-compound",
    ),
    _P(
        "cinematic",
        "Cinematic",
        "photo",
        "cinematic film still, anamorphic lens, dramatic lighting, shallow depth of field, color graded",
        "flat lighting, snapshot, overexposed, amateur composition",
        "cinematic",
    ),
    _P(
        "3d-model",
        "3D Model",
        "3d",
        "3d render, octane render, physically based materials, global illumination, clean studio backdrop",
        "2d, flat illustration, sketch, painting, hand drawn",
        "3d-model",
    ),
    _P(
        "pixel-art",
        "Pixel Art",
        "retro",
        "pixel art, 16-bit sprite style, limited color palette, crisp square pixels, retro video game",
        "anti-aliasing, blur, smooth gradients, photorealistic, high resolution detail",
        "pixel-art",
    ),
    _P(
        "tile-texture",
        "Tile Texture",
        "design",
        "seamless tileable texture, repeating pattern, even lighting, top-down flat surface, no seams",
        "visible seams, perspective, vignette, central subject, shadows",
        "tile-texture",
    ),
    # --- Illustration and design looks marketers ask for ---
    _P(
        "flat-illustration",
        "Flat Illustration",
        "illustration",
        "flat vector illustration, solid color shapes, no gradients, simple geometric characters, "
        "modern palette",
        "photorealistic, 3d render, heavy texture, complex shading",
        "digital-art",
    ),
    _P(
        "minimalist",
        "Minimalist",
        "design",
        "minimalist composition, generous negative space, single focal subject, muted limited palette",
        "clutter, busy background, many objects, ornate detail, text",
    ),
    _P(
        "infographic",
        "Infographic",
        "design",
        "clean infographic layout, simple icons, clear visual hierarchy, flat colors, grid alignment",
        "photorealistic, cluttered, illegible text, messy layout, painterly texture",
    ),
    _P(
        "blueprint",
        "Blueprint",
        "design",
        "technical blueprint drawing, white lines on deep blue paper, measurement annotations, grid lines",
        "full color, photorealistic, painterly, soft shading",
        "line-art",
    ),
    _P(
        "corporate",
        "Corporate",
        "design",
        "clean corporate style, professional and trustworthy, navy and white palette, modern office setting",
        "grunge, chaotic, cartoonish, neon colors, messy",
    ),
    _P(
        "bauhaus",
        "Bauhaus",
        "design",
        "Bauhaus design, primary colors, circles squares and triangles, asymmetric grid, "
        "bold sans-serif feel",
        "ornate decoration, photorealistic, gradients, floral motifs",
    ),
    _P(
        "duotone",
        "Duotone",
        "design",
        "duotone image, two-color gradient map, bold contrast, graphic poster treatment",
        "full color, rainbow palette, muted low contrast, busy detail",
    ),
    _P(
        "isometric-3d-icon",
        "Isometric 3D Icon",
        "3d",
        "isometric 3d icon, glossy rounded shapes, soft gradient lighting, centered on plain background",
        "photograph, clutter, multiple scenes, flat 2d, dark background",
        "isometric",
    ),
    _P(
        "glassmorphism",
        "Glassmorphism",
        "design",
        "glassmorphism, frosted translucent glass panels, soft blur, vibrant gradient backdrop, "
        "subtle highlights",
        "opaque flat surfaces, grunge texture, dull colors, hard shadows",
    ),
    _P(
        "memphis",
        "Memphis Design",
        "design",
        "Memphis design, playful geometric shapes, squiggles and confetti patterns, bold pastel and black",
        "photorealistic, muted palette, minimalism, realistic lighting",
    ),
    _P(
        "sketch",
        "Pencil Sketch",
        "art",
        "graphite pencil sketch, loose hatching, visible construction lines, sketchbook paper",
        "color, digital painting, photorealistic, clean vector",
    ),
    _P(
        "childrens-book",
        "Children's Book",
        "illustration",
        "children's book illustration, whimsical characters, soft gouache textures, warm friendly colors",
        "scary, dark, gritty, photorealistic, violent",
    ),
    _P(
        "botanical",
        "Botanical Illustration",
        "illustration",
        "vintage botanical illustration, detailed plant study, fine linework, delicate watercolor tint",
        "cartoon, neon colors, photograph, 3d render",
    ),
    _P(
        "paper-cut",
        "Paper Cut",
        "illustration",
        "layered paper cut art, stacked colored paper layers, soft drop shadows, handcrafted depth",
        "photorealistic, flat single layer, glossy plastic, metal",
        "origami",
    ),
    _P(
        "stained-glass",
        "Stained Glass",
        "art",
        "stained glass window, jewel toned glass segments, black lead lines, light shining through",
        "photograph, matte flat colors, soft blur, 3d render",
    ),
    # --- Fine art ---
    _P(
        "watercolor",
        "Watercolor",
        "art",
        "watercolor painting, soft washes of pigment, paper texture, bleeding edges",
        "hard edges, digital gloss, photorealistic, vector shapes",
    ),
    _P(
        "oil-painting",
        "Oil Painting",
        "art",
        "oil painting on canvas, visible impasto brushstrokes, rich layered color, classical lighting",
        "photograph, flat digital color, vector, smooth cgi",
    ),
    _P(
        "charcoal",
        "Charcoal",
        "art",
        "charcoal drawing, smudged tonal shading, deep blacks, textured toothy paper, expressive strokes",
        "color, clean vector lines, photograph, glossy finish",
    ),
    _P(
        "ukiyo-e",
        "Ukiyo-e",
        "art",
        "ukiyo-e woodblock print, flat color areas, bold outlines, Edo period style, washi paper texture",
        "photorealistic, 3d render, modern neon, gradients",
    ),
    _P(
        "pop-art",
        "Pop Art",
        "art",
        "pop art, Ben-Day dots, bold flat primary colors, thick black outlines, Warhol "
        "and Lichtenstein style",
        "muted palette, photorealistic, soft gradients, subtle shading",
        "comic-book",
    ),
    _P(
        "impressionist",
        "Impressionist",
        "art",
        "impressionist painting, loose visible brushstrokes, dappled light, plein air color",
        "sharp detail, photograph, hard outlines, digital smoothness",
    ),
    # --- Retro ---
    _P(
        "vintage-poster",
        "Vintage Poster",
        "retro",
        "vintage travel poster, screen printed flat colors, bold simplified shapes, aged paper, 1950s style",
        "photorealistic, modern digital gloss, 3d render, cluttered detail",
    ),
    _P(
        "art-deco",
        "Art Deco",
        "retro",
        "art deco style, geometric symmetry, gold and black, sunburst motifs, 1920s glamour",
        "organic messy shapes, grunge, modern minimal flat, pastel",
    ),
    _P(
        "risograph",
        "Risograph",
        "retro",
        "risograph print, grainy overlapping spot inks, slight misregistration, fluorescent pink and blue",
        "photorealistic, smooth gradients, glossy digital finish, 3d render",
    ),
    _P(
        "vaporwave",
        "Vaporwave",
        "retro",
        "vaporwave aesthetic, pastel pink and teal, greek statues, retro computer graphics, sunset grid",
        "natural earthy colors, realistic documentary photo, muted tones",
    ),
    _P(
        "synthwave",
        "Synthwave",
        "retro",
        "synthwave, neon grid horizon, chrome lettering feel, purple and orange sunset, 1980s retro futurism",
        "daylight, natural colors, rustic setting, muted palette",
        "neon-punk",
    ),
    _P(
        "polaroid",
        "Polaroid",
        "retro",
        "instant polaroid photo, soft faded colors, slight vignette, white frame border, candid snapshot",
        "crisp digital hdr, cgi, studio perfection",
        "analog-film",
    ),
    # --- Digital / sci-fi ---
    _P(
        "cyberpunk",
        "Cyberpunk",
        "digital",
        "cyberpunk city, holographic signage, rain-soaked neon streets, high-tech low-life, teal and magenta",
        "rural, daylight, historical setting, pastel calm",
        "neon-punk",
    ),
    _P(
        "concept-art",
        "Concept Art",
        "digital",
        "cinematic concept art, painterly environment design, atmospheric perspective, epic scale",
        "photograph, flat vector, cartoon, low detail",
        "fantasy-art",
    ),
    _P(
        "claymation",
        "Claymation",
        "3d",
        "claymation stop-motion style, handmade clay characters, soft studio lights, miniature set",
        "photorealistic, flat 2d, cgi gloss, hard metallic",
        "modeling-compound",
    ),
    _P(
        "3d-cartoon",
        "3D Cartoon",
        "3d",
        "stylized 3d cartoon character, soft subsurface skin, big expressive eyes, "
        "animated feature film look",
        "photorealistic, 2d flat, gritty texture, uncanny realism",
        "3d-model",
    ),
    # --- Photography for marketing ---
    _P(
        "product-studio",
        "Product Studio",
        "photo",
        "studio product photography, seamless backdrop, softbox lighting, crisp reflections, "
        "commercial catalog",
        "cluttered background, harsh shadows, distorted product, hands, text overlay",
        "photographic",
    ),
    _P(
        "lifestyle",
        "Lifestyle",
        "photo",
        "lifestyle photography, real people in natural everyday settings, candid moments, warm daylight",
        "staged studio backdrop, stiff poses, cgi, illustration",
        "photographic",
    ),
    _P(
        "food-photography",
        "Food Photography",
        "photo",
        "professional food photography, appetizing styling, shallow depth of field, natural window light",
        "unappetizing, greasy mess, harsh flash, plastic food, illustration",
        "photographic",
    ),
    _P(
        "editorial",
        "Editorial",
        "photo",
        "editorial magazine photography, art-directed composition, refined styling, sophisticated lighting",
        "snapshot, amateur, cluttered, cartoon, low resolution",
        "photographic",
    ),
    _P(
        "flat-lay",
        "Flat Lay",
        "photo",
        "top-down flat lay, neatly arranged objects, styled surface, even soft lighting, overhead shot",
        "perspective angle, messy arrangement, harsh shadows, eye-level view",
        "photographic",
    ),
    _P(
        "macro",
        "Macro",
        "photo",
        "macro photography, extreme close-up, tiny details, very shallow depth of field, creamy bokeh",
        "wide shot, distant subject, everything in focus, low detail",
        "photographic",
    ),
    _P(
        "long-exposure",
        "Long Exposure",
        "photo",
        "long exposure photography, silky motion blur, light trails, smooth water, tripod sharp stills",
        "frozen motion, handheld shake, noisy, flat lighting",
        "photographic",
    ),
    _P(
        "studio-portrait",
        "Studio Portrait",
        "photo",
        "studio portrait, Rembrandt lighting, seamless backdrop, sharp eyes, flattering 85mm lens",
        "distorted face, extra fingers, harsh flash, cluttered background",
        "photographic",
    ),
    _P(
        "golden-hour",
        "Golden Hour",
        "photo",
        "golden hour light, warm low sun, long soft shadows, glowing rim light, hazy atmosphere",
        "midday harsh light, overcast flatness, cold blue cast, night",
        "photographic",
    ),
    _P(
        "black-and-white",
        "Black and White",
        "photo",
        "black and white photography, rich monochrome tonal range, strong contrast, fine grain",
        "color, sepia tint, oversaturated, washed out grey",
        "photographic",
    ),
    _P(
        "aerial",
        "Aerial Drone",
        "photo",
        "aerial drone photography, bird's eye view, sweeping landscape patterns, high altitude clarity",
        "ground level view, close-up, fisheye distortion, haze",
        "photographic",
    ),
    _P(
        "architectural",
        "Architectural",
        "photo",
        "architectural photography, straight verticals, clean lines, balanced symmetry, natural light",
        "converging verticals, tilted horizon, clutter, people crowds",
        "photographic",
    ),
    _P(
        "tilt-shift",
        "Tilt-Shift",
        "photo",
        "tilt-shift photography, miniature effect, narrow band of focus, saturated toy-like colors",
        "everything in focus, flat perspective, muted colors",
        "photographic",
    ),
    _P(
        "film-noir",
        "Film Noir",
        "photo",
        "film noir, high contrast black and white, hard shadows through blinds, smoky 1940s mood",
        "color, bright cheerful lighting, flat even exposure",
        "cinematic",
    ),
    _P(
        "neon-sign",
        "Neon Sign",
        "digital",
        "glowing neon tube sign, dark brick wall, vivid electric glow, soft light bloom",
        "daylight, matte flat colors, no glow, cluttered scene",
        "neon-punk",
    ),
)

_PRESETS_BY_ID: dict[str, StylePreset] = {preset.id: preset for preset in STYLE_PRESETS}
if len(_PRESETS_BY_ID) != len(STYLE_PRESETS):  # a duplicate id would silently shadow a preset
    raise ValueError("style preset ids must be unique")


def get_style_preset(preset_id: str) -> StylePreset | None:
    return _PRESETS_BY_ID.get(preset_id.strip().lower()) if preset_id else None


def list_style_presets(category: str | None = None) -> list[StylePreset]:
    if category is None:
        return list(STYLE_PRESETS)
    wanted = category.strip().lower()
    return [preset for preset in STYLE_PRESETS if preset.category == wanted]


def _terms(text: str | None) -> list[str]:
    """Comma-separated prompt terms, trimmed, empties dropped."""
    return [term.strip() for term in (text or "").split(",") if term.strip()]


def _already_said(term: str, text: str) -> bool:
    """True when `term` already appears in `text` as whole words (case-insensitive)."""
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, term.lower().split())) + r"(?!\w)"
    return re.search(pattern, text.lower()) is not None


def _merge_terms(base: str | None, extra: str) -> str:
    """Append the terms of `extra` to `base`, skipping any term `base` (or an earlier term) already says."""
    merged = _terms(base)
    for term in _terms(extra):
        if not _already_said(term, ", ".join(merged)):
            merged.append(term)
    return ", ".join(merged)


def apply_style(prompt: str, negative_prompt: str | None, preset: StylePreset | None) -> tuple[str, str]:
    """Return (prompt, negative prompt) with the preset's fragments added.

    The prompt fragment goes after the user's words so the subject stays first (models weight early tokens
    more). Negative terms are merged so a term the user already excluded is not repeated. Applying the same
    preset twice changes nothing.
    """
    prompt = (prompt or "").strip()
    negative = ", ".join(_terms(negative_prompt))
    if preset is None:
        return prompt, negative
    if not prompt:
        styled = preset.prompt_fragment
    elif _already_said(preset.prompt_fragment, prompt):
        styled = prompt
    else:
        styled = f"{prompt}, {preset.prompt_fragment}"
    return styled, _merge_terms(negative, preset.negative_fragment)
