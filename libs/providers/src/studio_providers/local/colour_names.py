"""The local provider's colour vocabulary, as data: colour words as RGB (the renderer's palette and the
edits' "recolor the shirt navy" read the same table), shade words, mood words with their palettes, palette
modifiers and hue families. `palette.py` and `cv.colour_in` hold the logic that reads them."""

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "red": (205, 32, 44),
    "crimson": (165, 20, 50),
    "scarlet": (230, 40, 30),
    "burgundy": (110, 20, 40),
    "maroon": (120, 25, 35),
    "orange": (245, 130, 30),
    "amber": (250, 170, 35),
    "coral": (250, 120, 90),
    "peach": (250, 185, 145),
    "yellow": (250, 215, 60),
    "gold": (230, 185, 60),
    "golden": (230, 185, 60),
    "mustard": (210, 170, 50),
    "green": (60, 160, 80),
    "emerald": (20, 140, 95),
    "lime": (150, 210, 60),
    "olive": (120, 130, 50),
    "mint": (150, 225, 185),
    "sage": (150, 175, 135),
    "teal": (20, 130, 135),
    "turquoise": (60, 200, 190),
    "cyan": (40, 200, 225),
    "aqua": (90, 215, 220),
    "blue": (40, 90, 200),
    "azure": (60, 140, 230),
    "cobalt": (30, 70, 170),
    "navy": (20, 35, 90),
    "indigo": (60, 40, 130),
    "purple": (120, 50, 160),
    "violet": (140, 90, 210),
    "lavender": (180, 160, 225),
    "lilac": (200, 165, 220),
    "magenta": (210, 40, 150),
    "fuchsia": (225, 50, 170),
    "pink": (240, 110, 170),
    "brown": (120, 75, 45),
    "tan": (200, 160, 110),
    "rust": (170, 75, 35),
    "beige": (225, 205, 170),
    "cream": (245, 235, 210),
    "ivory": (250, 245, 230),
    "black": (12, 12, 16),
    "white": (245, 245, 242),
    "grey": (128, 128, 132),
    "gray": (128, 128, 132),
    "silver": (192, 195, 200),
    "charcoal": (50, 52, 58),
}

# Shade words and the end they move a colour towards (255 white, 0 black).
SHADES = {"light": 255, "pale": 255, "pastel": 255, "dark": 0, "deep": 0}
SHADE_MIX = 0.4  # how far "light"/"dark" move a colour towards white/black

# Mood words and the palettes they evoke.
_SUNSET = [(250, 94, 58), (255, 154, 60), (250, 205, 95), (200, 60, 140), (70, 40, 100)]
_OCEAN = [(8, 40, 90), (15, 90, 150), (30, 150, 190), (120, 210, 225), (215, 240, 245)]
_FOREST = [(20, 50, 30), (40, 95, 50), (95, 140, 70), (170, 190, 120), (90, 65, 40)]
_NIGHT = [(8, 10, 30), (25, 30, 75), (60, 50, 120), (110, 120, 180), (240, 225, 170)]
_SPACE = [(5, 5, 15), (40, 20, 80), (120, 40, 150), (40, 90, 190), (235, 220, 250)]
_DESERT = [(240, 200, 140), (215, 150, 90), (180, 100, 60), (120, 70, 45), (250, 230, 190)]
_SNOW = [(245, 248, 252), (215, 230, 245), (170, 195, 225), (110, 140, 180), (60, 80, 120)]
_COFFEE = [(40, 25, 20), (90, 55, 35), (150, 100, 65), (205, 165, 120), (240, 225, 200)]
_CORPORATE = [(15, 35, 80), (30, 90, 170), (110, 130, 150), (225, 230, 235), (20, 160, 170)]
_TECH = [(10, 12, 25), (20, 60, 140), (30, 200, 230), (150, 60, 220), (230, 240, 250)]
_VINTAGE = [(215, 170, 70), (55, 125, 120), (190, 80, 60), (240, 225, 195), (100, 70, 50)]
_AUTUMN = [(200, 90, 30), (170, 60, 30), (230, 170, 60), (110, 60, 30), (140, 130, 60)]
_SPRING = [(180, 225, 160), (250, 190, 210), (250, 235, 150), (150, 200, 235), (100, 170, 100)]
_SUMMER = [(255, 210, 60), (40, 190, 200), (250, 120, 90), (255, 245, 220), (20, 120, 160)]
_FIRE = [(40, 5, 5), (170, 25, 15), (235, 90, 20), (250, 170, 40), (255, 235, 150)]
_CANDY = [(250, 160, 200), (160, 230, 210), (255, 225, 150), (200, 170, 240), (255, 245, 250)]
_EARTH = [(90, 65, 45), (150, 110, 70), (120, 125, 70), (210, 185, 140), (60, 50, 40)]
_TROPICAL = [(20, 140, 80), (40, 200, 190), (255, 210, 60), (250, 110, 90), (240, 250, 230)]
_LUXURY = [(10, 10, 12), (35, 32, 30), (200, 160, 80), (240, 215, 150), (245, 240, 230)]
_SKY = [(70, 130, 210), (120, 175, 235), (190, 220, 250), (250, 252, 255), (40, 80, 160)]

_MOOD_GROUPS: tuple[tuple[tuple[str, ...], list[RGB]], ...] = (
    (("sunset", "sunrise", "dusk"), _SUNSET),
    (("ocean", "sea", "marine", "underwater", "wave"), _OCEAN),
    (("forest", "jungle", "woods", "nature"), _FOREST),
    (("night", "midnight", "moon"), _NIGHT),
    (("space", "galaxy", "cosmic", "nebula"), _SPACE),
    (("desert", "dune", "sand"), _DESERT),
    (("snow", "winter", "ice", "frost", "arctic"), _SNOW),
    (("coffee", "espresso", "chocolate", "cafe"), _COFFEE),
    (("corporate", "business", "professional", "finance"), _CORPORATE),
    (("tech", "technology", "digital", "futuristic", "cyber", "cyberpunk"), _TECH),
    (("vintage", "retro"), _VINTAGE),
    (("autumn", "fall"), _AUTUMN),
    (("spring", "floral", "garden", "flower"), _SPRING),
    (("summer", "beach"), _SUMMER),
    (("fire", "flame", "lava"), _FIRE),
    (("candy", "sweet"), _CANDY),
    (("earth", "earthy", "organic", "rustic"), _EARTH),
    (("tropical",), _TROPICAL),
    (("luxury", "elegant", "premium"), _LUXURY),
    (("sky", "cloud"), _SKY),
)
MOOD_WORDS: dict[str, list[RGB]] = {word: colours for words, colours in _MOOD_GROUPS for word in words}

# Words that change how a palette is treated, by the treatment they name.
MODIFIER_WORDS: dict[str, str] = {
    "pastel": "pastel",
    "neon": "neon",
    "fluorescent": "neon",
    "glowing": "neon",
    "monochrome": "mono",
    "monochromatic": "mono",
    "grayscale": "mono",
    "greyscale": "mono",
    "noir": "mono",
    "muted": "muted",
    "dusty": "muted",
    "faded": "muted",
    "desaturated": "muted",
    "vibrant": "vibrant",
    "vivid": "vibrant",
    "bold": "vibrant",
    "saturated": "vibrant",
    "dark": "dark",
    "deep": "dark",
    "moody": "dark",
    "light": "light",
    "pale": "light",
    "airy": "light",
    "bright": "light",
}

# Hue families (degrees, start inclusive, end exclusive; red wraps around 0).
HUE_FAMILIES: dict[str, tuple[float, float]] = {
    "red": (340.0, 20.0),
    "orange": (20.0, 42.0),
    "yellow": (42.0, 70.0),
    "green": (70.0, 165.0),
    "teal": (165.0, 200.0),
    "blue": (200.0, 255.0),
    "purple": (255.0, 290.0),
    "pink": (290.0, 340.0),
}
