"""The light a relight asks for in words, and how it falls on an image: a colour temperature and an
exposure read from the prompt ("warm sunset light", "cool moonlight", "dim"), and a directional
lightness gradient. Real image processing for the local provider, no model."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

NEUTRAL_KELVIN = 6500.0  # daylight: no colour cast
WARM_KELVIN, COOL_KELVIN = 3200.0, 9500.0
EXPOSURE_STEP = 0.25  # lightness change of "bright" / "dim" at full strength (fraction)
DIRECTIONAL_GAIN = 0.35  # lightness swing of a directional light at strength 1 (fraction)
DIRECTIONS = ("left", "right", "above", "below")

_WARM = frozenset(
    [
        "warm",
        "golden",
        "gold",
        "sunset",
        "sunrise",
        "dawn",
        "dusk",
        "evening",
        "candle",
        "candlelight",
        "candlelit",
        "fire",
        "firelight",
        "fireplace",
        "tungsten",
        "incandescent",
        "amber",
        "orange",
        "lamplight",
        "autumn",
    ]
)
_COOL = frozenset(
    [
        "cool",
        "cold",
        "blue",
        "moonlight",
        "moonlit",
        "moon",
        "night",
        "overcast",
        "winter",
        "icy",
        "ice",
        "snowy",
        "twilight",
        "fluorescent",
        "teal",
        "cyan",
    ]
)
_BRIGHT = frozenset(["bright", "sunny", "sunlit", "daylight", "noon", "radiant", "brilliant"])
_DIM = frozenset(["dim", "dark", "moody", "low-key", "gloomy", "shadowy", "night"])
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


@dataclass(frozen=True, slots=True)
class Light:
    kelvin: float = NEUTRAL_KELVIN
    exposure: int = 0  # -1 dim, 0 as is, +1 bright

    @property
    def changes_anything(self) -> bool:
        return self.kelvin != NEUTRAL_KELVIN or self.exposure != 0


def light_from_words(text: str) -> Light:
    """The light a prompt describes; neutral when it names none (or names warm and cool alike)."""
    words = set(_WORD.findall(text.lower()))
    warmth = len(words & _WARM) - len(words & _COOL)
    kelvin = WARM_KELVIN if warmth > 0 else COOL_KELVIN if warmth < 0 else NEUTRAL_KELVIN
    exposure = int(np.sign(len(words & _BRIGHT) - len(words & _DIM)))
    return Light(kelvin, exposure)


def kelvin_rgb(kelvin: float) -> np.ndarray:
    """RGB gains of a black body at `kelvin` relative to daylight (Tanner Helland's fit, 1000-40000 K)."""

    def rgb(k: float) -> np.ndarray:
        t = np.clip(k, 1000.0, 40000.0) / 100.0
        red = 255.0 if t <= 66 else 329.698727446 * (t - 60) ** -0.1332047592
        green = (
            99.4708025861 * np.log(t) - 161.1195681661
            if t <= 66
            else 288.1221695283 * (t - 60) ** -0.0755148492
        )
        blue = 255.0 if t >= 66 else 0.0 if t <= 19 else 138.5177312231 * np.log(t - 10) - 305.0447927307
        return np.clip(np.array([red, green, blue], dtype=np.float32), 1.0, 255.0)

    gains = rgb(kelvin) / rgb(NEUTRAL_KELVIN)
    return gains / gains.max()  # a cast, never a brightening


def directional_gradient(height: int, width: int, direction: str, strength: float) -> np.ndarray:
    """Multiplicative lightness factor, brighter on the side the light comes from."""
    along = np.linspace(1.0, -1.0, width if direction in ("left", "right") else height, dtype=np.float32)
    if direction in ("right", "below"):
        along = along[::-1]
    factor = 1.0 + DIRECTIONAL_GAIN * strength * along
    return factor[None, :] if direction in ("left", "right") else factor[:, None]


def cast(rgb: np.ndarray, light: Light, strength: float) -> np.ndarray:
    """The image (float RGB, 0-255) under `light`: its colour temperature and exposure, `strength` 0-1."""
    gains = 1.0 + (kelvin_rgb(light.kelvin) - 1.0) * strength
    exposure = 1.0 + EXPOSURE_STEP * strength * light.exposure
    return rgb * (gains * exposure)[None, None, :]
