"""The one table of file types: the MIME type of everything the platform stores or serves, the
extension its storage keys end with, and the image format names requests and decoders use.

Storage keys take their extension from here, downloads take their Content-Type back from the key, and
every encoder labels its output from here, so the three cannot disagree."""

from collections.abc import Mapping
from types import MappingProxyType

UNKNOWN_TYPE = "application/octet-stream"
UNKNOWN_EXTENSION = "bin"

# MIME type -> the extension of a stored key. The platform chooses it, never the uploader.
EXTENSIONS: Mapping[str, str] = MappingProxyType(
    {
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/webp": "webp",
        "video/mp4": "mp4",
        "model/gltf-binary": "glb",
        "audio/wav": "wav",
        "audio/mpeg": "mp3",
        "application/zip": "zip",
    }
)
_TYPES_BY_EXTENSION = {extension: content_type for content_type, extension in EXTENSIONS.items()}

# An image format name (a request's output_format, Pillow's format in lower case) -> its MIME type, in
# the order requests list them.
IMAGE_TYPES: Mapping[str, str] = MappingProxyType(
    {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
)
# A speech format (as audio probing names it) -> its MIME type.
AUDIO_TYPES: Mapping[str, str] = MappingProxyType({"wav": "audio/wav", "mp3": "audio/mpeg"})


def extension_for(content_type: str) -> str:
    return EXTENSIONS.get(content_type, UNKNOWN_EXTENSION)


def content_type_of_key(key: str) -> str:
    """A stored file's type, from the extension its key ends with."""
    return _TYPES_BY_EXTENSION.get(key.rsplit(".", 1)[-1], UNKNOWN_TYPE)


def image_content_type(format_name: str) -> str | None:
    """The MIME type of an image format name in any case ("PNG", "jpeg", "jpg"); None if not one we
    deliver."""
    name = format_name.lower()
    return IMAGE_TYPES.get("jpeg" if name == "jpg" else name)
