"""Test pictures made on the spot: a gradient with a few shapes, so crops and edits have something to show."""

from pathlib import Path

from PIL import Image, ImageDraw


def photo(path: Path, width: int, height: int) -> Path:
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            pixels[x, y] = (40 + 160 * x // width, 70 + 120 * y // height, 150)
    draw = ImageDraw.Draw(image)
    draw.ellipse([width * 0.55, height * 0.2, width * 0.8, height * 0.6], fill=(240, 200, 60))
    draw.rectangle([width * 0.1, height * 0.55, width * 0.4, height * 0.9], fill=(30, 120, 60))
    image.save(path)
    return path


def portrait(path: Path, side: int = 320) -> Path:
    """A real photograph with one face (scikit-image's astronaut): what a talking avatar needs."""
    from skimage import data

    Image.fromarray(data.astronaut()).resize((side, side)).save(path)
    return path
