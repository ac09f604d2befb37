"""How an operation's output becomes an asset: its type, module, title and automatic tags.

Pure functions, no I/O.
"""

import re

from studio_common.contracts.assets import MAX_TAG_CHARS, MAX_TAGS, TITLE_MAX_CHARS

MODULES = ("create", "edit", "upscale", "control", "social", "transform")
# A kind from outside the catalogue still gets indexed (I5); it is filed here instead of being dropped.
OTHER_MODULE = "other"

TITLE_WORDS = 8
UNTITLED = "Untitled"
MAX_AUTO_KEYWORDS = 10

_EXTENSION_TYPES = {
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "webp": "image",
    "gif": "image",
    "avif": "image",
    "mp4": "video",
    "webm": "video",
    "mov": "video",
    "m4v": "video",
    "glb": "model3d",
    "gltf": "model3d",
    "obj": "model3d",
    "stl": "model3d",
    "usdz": "model3d",
    "ply": "model3d",
    "mp3": "audio",
    "wav": "audio",
    "m4a": "audio",
    "ogg": "audio",
    "flac": "audio",
}

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "like",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "image",
        "picture",
        "photo",
        "make",
        "create",
        "show",
        "showing",
        "please",
        "using",
        "use",
        "featuring",
        "include",
        "including",
        "get",
        "set",
    ]
)

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def asset_type(content_type: str, storage_key: str = "") -> str:
    """image | video | model3d | audio, from the MIME type, else from the key's extension; image otherwise."""
    major = content_type.split("/", 1)[0].strip().lower()
    if major in ("image", "video", "audio"):
        return major
    if major == "model":
        return "model3d"
    extension = storage_key.rsplit(".", 1)[-1].lower() if "." in storage_key else ""
    return _EXTENSION_TYPES.get(extension, "image")


def module_for(kind: str) -> str:
    """The studio module an operation kind belongs to: `create`, `edit.inpaint` -> edit, ..."""
    prefix = kind.strip().lower().split(".", 1)[0]
    return prefix if prefix in MODULES else OTHER_MODULE


def title_from_prompt(prompt: str) -> str:
    """The prompt's first words, capitalised; `Untitled` when there is no prompt."""
    words = prompt.split()[:TITLE_WORDS]
    title = " ".join(words).strip(" \t,;:.-–—")[:TITLE_MAX_CHARS].strip()
    if not title:
        return UNTITLED
    return title[0].upper() + title[1:]


# Kinds whose generic name would read badly as a title.
_KIND_LABELS = {"transform.3d": "3D model", "transform.avatar": "Talking avatar"}


def kind_label(kind: str) -> str:
    """A human name for an operation kind: `upscale.fast` -> `Upscale fast`, `transform.video` -> `Video`."""
    if kind in _KIND_LABELS:
        return _KIND_LABELS[kind]
    words = kind.strip().lower().replace("_", " ").split(".")
    if len(words) > 1 and words[0] == "transform":  # the module name says nothing about the output
        words = words[1:]
    label = " ".join(w for w in words if w).strip()
    return label[:1].upper() + label[1:] if label else UNTITLED


def title_for(prompt: str, kind: str, source_title: str | None = None) -> str:
    """The prompt's first words; for an operation without a prompt (upscale, video, avatar), what was done
    to which asset: `Upscale fast of Lighthouse at dawn`, or the kind alone when the source is unknown."""
    if prompt.strip():
        return title_from_prompt(prompt)
    label = kind_label(kind)
    return f"{label} of {source_title}"[:TITLE_MAX_CHARS] if source_title else label


def prompt_keywords(prompt: str, limit: int = MAX_AUTO_KEYWORDS) -> list[str]:
    """Distinct lower-case words of the prompt in order of appearance, without stop words or numbers."""
    keywords: list[str] = []
    for match in _WORD.finditer(prompt.lower()):
        word = match.group().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if len(word) < 2 or word.isdigit() or word in STOP_WORDS or word in keywords:
            continue
        keywords.append(word[:MAX_TAG_CHARS])
        if len(keywords) == limit:
            break
    return keywords


def auto_tags(prompt: str, module: str, provider: str) -> list[str]:
    """Up to ten prompt keywords, then the module and the provider."""
    return normalise_tags([*prompt_keywords(prompt), module, provider])


def normalise_tags(tags: list[str]) -> list[str]:
    """Lower-case, trimmed, single-spaced, distinct, in the given order; at most MAX_TAGS."""
    result: list[str] = []
    for tag in tags:
        clean = " ".join(tag.lower().split())[:MAX_TAG_CHARS].strip()
        if clean and clean not in result:
            result.append(clean)
    return result[:MAX_TAGS]
