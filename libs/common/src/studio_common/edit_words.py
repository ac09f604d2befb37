"""The words a plain-language photo edit is read with: effects (with their direction and whether they
count on their own), directions, intensities, filler and bare nouns. Data only; the reading is
`studio_common.edit_instructions`."""

# Effect words: (effect, direction, strong). Weak words ("colors", "light", "detail") only count
# when nothing else in the same clause names an effect, so "warmer colours" is just warmer.
EFFECT_WORDS: dict[tuple[str, ...], tuple[str, int, bool]] = {}


def _effect(effect: str, direction: int, *phrases: str, strong: bool = True) -> None:
    for phrase in phrases:
        EFFECT_WORDS[tuple(phrase.split())] = (effect, direction, strong)


_effect(
    "brightness",
    +1,
    "brighter",
    "brighten",
    "brightened",
    "bright",
    "brightness",
    "lighter",
    "lighten",
    "lightened",
    "exposure",
    "brighten up",
    "lighten up",
)
_effect("brightness", +1, "light", strong=False)
_effect("brightness", -1, "darker", "darken", "darkened", "dark", "dim", "dimmer", "dimmed", "darkness")
_effect("contrast", +1, "contrast", "contrasty", "contrastier", "punchy", "punchier")
_effect("contrast", -1, "flatter")
_effect(
    "saturation",
    +1,
    "saturated",
    "saturate",
    "saturation",
    "vivid",
    "vivider",
    "vibrant",
    "vibrance",
    "colorful",
    "colors pop",
    "color pop",
    "pop",
)
_effect("saturation", +1, "color", "colors", strong=False)
_effect(
    "saturation",
    -1,
    "desaturate",
    "desaturated",
    "muted",
    "mute",
    "washed out",
    "dull",
    "duller",
    "subdued",
    "faded",
)
_effect(
    "grayscale",
    +1,
    "blackandwhite",
    "bw",
    "grayscale",
    "gray scale",
    "gray",
    "monochrome",
    "monochromatic",
    "noir",
    "remove color",
    "remove the color",
    "no color",
    "without color",
)
_effect("sepia", +1, "sepia")
_effect(
    "sharpness",
    +1,
    "sharpen",
    "sharpened",
    "sharper",
    "sharp",
    "sharpness",
    "crisp",
    "crisper",
    "clearer",
    "clarity",
    "detailed",
)
_effect("sharpness", +1, "detail", "details", strong=False)
_effect(
    "sharpness",
    -1,
    "blur",
    "blurry",
    "blurred",
    "blurrier",
    "soften",
    "softer",
    "soft",
    "softened",
    "defocus",
    "defocused",
    "unfocused",
    "out of focus",
    "smoother",
    "smooth",
)
_effect("warmth", +1, "warm", "warmer", "warmth", "warm up", "warmed")
_effect("warmth", -1, "cool", "cooler", "cold", "colder", "cool down", "cooled")

DIRECTIONS: dict[tuple[str, ...], int] = {
    (word,): +1
    for word in (
        "more",
        "increase",
        "increased",
        "raise",
        "boost",
        "higher",
        "add",
        "stronger",
        "enhance",
        "extra",
        "amplify",
        "intensify",
        "heighten",
    )
}
DIRECTIONS.update(
    {
        (word,): -1
        for word in (
            "less",
            "decrease",
            "reduce",
            "lower",
            "lessen",
            "weaker",
            "diminish",
            "minimize",
            "minimise",
            "remove",
        )
    }
)
# "up"/"down" alone are filler ("warm it up", "cool it down"); these verbs give them a direction.
for _verb in ("turn", "dial", "crank", "bring", "pump", "ramp"):
    DIRECTIONS[(_verb, "up")] = +1
    DIRECTIONS[(_verb, "down")] = -1
DIRECTIONS[("tone", "down")] = -1
DIRECTIONS[("too",)] = -1  # "it's too dark" asks for the opposite

INTENSITIES: dict[tuple[str, ...], float] = {
    tuple(phrase.split()): factor
    for factor, phrases in (
        (
            0.5,
            (
                "slightly",
                "a bit",
                "a little",
                "little",
                "bit",
                "a touch",
                "a tad",
                "tad",
                "subtly",
                "subtle",
                "gently",
                "mildly",
                "marginally",
                "a little bit",
                "just a bit",
                "not too much",
                "not too",
            ),
        ),
        (0.7, ("somewhat", "moderately")),
        (1.6, ("really", "quite")),
        (
            1.8,
            (
                "much",
                "very",
                "a lot",
                "lot",
                "lots",
                "way",
                "far",
                "significantly",
                "strongly",
                "considerably",
                "greatly",
                "heavily",
                "noticeably",
            ),
        ),
        (2.2, ("dramatically", "drastically", "hugely", "super", "extremely", "massively")),
    )
    for phrase in phrases
}

FILLER = frozenset(
    [
        "make",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "the",
        "a",
        "an",
        "image",
        "photo",
        "photograph",
        "picture",
        "pic",
        "shot",
        "scene",
        "look",
        "looks",
        "looking",
        "appear",
        "seem",
        "feel",
        "please",
        "could",
        "can",
        "would",
        "will",
        "you",
        "me",
        "i",
        "i'd",
        "want",
        "like",
        "so",
        "is",
        "be",
        "should",
        "just",
        "overall",
        "whole",
        "entire",
        "all",
        "of",
        "with",
        "some",
        "to",
        "into",
        "turn",
        "convert",
        "apply",
        "give",
        "set",
        "get",
        "effect",
        "filter",
        "style",
        "tone",
        "tones",
        "toned",
        "version",
        "my",
        "our",
        "in",
        "as",
        "now",
        "s",
        "up",
        "down",
    ]
)


# Nouns name a quantity without a direction; a clause of bare nouns takes the direction of the
# clause before it ("reduce the brightness and contrast").
NOUNS = frozenset(
    (word,)
    for word in [
        "brightness",
        "exposure",
        "light",
        "darkness",
        "contrast",
        "saturation",
        "vibrance",
        "color",
        "colors",
        "warmth",
        "sharpness",
        "clarity",
        "detail",
        "details",
    ]
)
