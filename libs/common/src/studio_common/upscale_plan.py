"""How big an upscale comes out: the size maths of ``fast``, ``conservative`` and ``auto`` (to a preset,
a long side or a print size), pure and shared. The gateway runs it to refuse a size before anything is
reserved; the local provider runs it to know what to deliver. The output ceiling is the offer's
``max_output_pixels`` in the catalog.

``fast`` enlarges exactly 4x per side, ``conservative`` enlarges to about 4 MP, and ``auto`` picks one of
them from the input size, or resizes to a target. ``creative`` invents detail with a generative model:
no size plan makes it honest, so it is refused here as `Incapable`.
"""

import math

from studio_common.catalog import Incapable

FAST_FACTOR = 4
CONSERVATIVE_PIXELS = 2048 * 2048  # ~4 MP
AUTO_FAST_MAX_LONG_SIDE = 1024
PRESET_LONG_SIDES = {"web": 2048, "print": 3072, "social": 1080}
PRINT_DPI = 300
MODES = ("fast", "conservative", "auto", "creative")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f} MP"


def _check_limit(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ValueError(
            f"the upscaled image would be {width}x{height} ({_megapixels(width * height)}), over the "
            f"{max_pixels // 2**20} MP limit ({max_pixels} pixels); use a smaller input or a smaller target"
        )


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    if width >= height:
        return long_side, max(1, round(height * long_side / width))
    return max(1, round(width * long_side / height)), long_side


def _positive_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def _positive_int(name: str, value: object) -> int:
    number = _positive_number(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number of pixels, got {value!r}")
    return int(number)


def _print_size(width: int, height: int, print_width_in: object, print_height_in: object) -> tuple[int, int]:
    """Smallest size that gives at least PRINT_DPI on every given print dimension, aspect kept."""
    scales = []
    if print_width_in is not None:
        scales.append(_positive_number("print_width_in", print_width_in) * PRINT_DPI / width)
    if print_height_in is not None:
        scales.append(_positive_number("print_height_in", print_height_in) * PRINT_DPI / height)
    scale = max(scales)
    return max(1, math.ceil(width * scale - 1e-9)), max(1, math.ceil(height * scale - 1e-9))


def _conservative(width: int, height: int) -> tuple[int, int]:
    if width * height >= CONSERVATIVE_PIXELS:
        raise ValueError(
            f"the image is already {width}x{height} ({_megapixels(width * height)}); conservative upscaling "
            f"enlarges to about {_megapixels(CONSERVATIVE_PIXELS)} and never downscales"
        )
    return _scaled(width, height, math.sqrt(CONSERVATIVE_PIXELS / (width * height)))


def plan_upscale(
    width: int,
    height: int,
    mode: str,
    preset: str | None = None,
    target_long_side: int | None = None,
    *,
    print_width_in: float | None = None,
    print_height_in: float | None = None,
    max_pixels: int,
) -> tuple[str, int, int]:
    """Decide the output size: ``(resolved mode, out_width, out_height)``.

    The resolved mode is ``fast`` or ``conservative``, or for ``auto`` with a
    target the preset's name (``web``, ``print``, ``social``) or ``target``
    for an explicit ``target_long_side``. Presets and targets may downscale. ``max_pixels`` is the
    offer's output ceiling.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if mode == "creative":
        raise Incapable(
            "creative upscaling invents new detail with a generative model, which the local provider does "
            "not have; use stability"
        )
    if mode not in MODES:
        raise ValueError(f"mode must be one of fast, conservative, auto; got {mode!r}")
    has_print = print_width_in is not None or print_height_in is not None
    targeted = preset is not None or target_long_side is not None or has_print
    if mode != "auto" and targeted:
        raise ValueError(f"preset, target_long_side and print sizes apply to auto mode only, not {mode}")
    if preset is not None and preset not in PRESET_LONG_SIDES:
        raise ValueError(f"preset must be one of {', '.join(PRESET_LONG_SIDES)}; got {preset!r}")
    if target_long_side is not None and (preset is not None or has_print):
        raise ValueError("give either target_long_side or a preset, not both")
    if has_print and preset not in (None, "print"):
        raise ValueError(f"print_width_in and print_height_in apply to the print preset, not {preset}")

    if mode == "fast":
        out_w, out_h = width * FAST_FACTOR, height * FAST_FACTOR
    elif mode == "conservative":
        out_w, out_h = _conservative(width, height)
    elif target_long_side is not None:
        mode = "target"
        out_w, out_h = _to_long_side(width, height, _positive_int("target_long_side", target_long_side))
    elif has_print:
        mode = "print"
        out_w, out_h = _print_size(width, height, print_width_in, print_height_in)
    elif preset is not None:
        mode = preset
        out_w, out_h = _to_long_side(width, height, PRESET_LONG_SIDES[preset])
    elif max(width, height) <= AUTO_FAST_MAX_LONG_SIDE and width * height * FAST_FACTOR**2 <= max_pixels:
        mode = "fast"
        out_w, out_h = width * FAST_FACTOR, height * FAST_FACTOR
    else:
        if width * height >= CONSERVATIVE_PIXELS:
            raise ValueError(
                f"the image is already {width}x{height} ({_megapixels(width * height)}); auto upscaling "
                "needs a preset or target_long_side to go further"
            )
        mode = "conservative"
        out_w, out_h = _conservative(width, height)
    _check_limit(out_w, out_h, max_pixels)
    return mode, out_w, out_h
