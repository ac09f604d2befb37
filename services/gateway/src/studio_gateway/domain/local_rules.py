"""What the offline `local` provider cannot honestly do. The gateway checks these before accepting a
request, so such a request gets a 422 naming a provider that can, and nothing is reserved."""

from studio_providers.local.edit import SUBJECT_WORDS, subject_selection
from studio_providers.local.general_edit import parse_instruction

LOCAL = "local"


def local_refusal(kind: str, fields: dict, roles: set[str]) -> str | None:
    if kind == "edit.search_replace":
        return "the local provider cannot draw a new object from text; search and replace needs stability"
    if (
        kind == "edit.search_recolor"
        and "mask" not in roles
        and subject_selection(str(fields.get("select_prompt") or "")) is None
    ):
        return (
            "the local provider finds only the main subject or the background by text (select_prompt "
            f"one of: {', '.join(SUBJECT_WORDS)}): give a mask of the region to recolour, or use stability"
        )
    if kind == "edit.relight" and not (
        {"background_reference", "light_reference"} & roles
        or fields.get("light_source_direction")
        or fields.get("background_prompt")
    ):
        return (
            "relight needs a light to apply: give a background_reference or light_reference image, "
            "light_source_direction, or a background_prompt that describes the light"
        )
    if kind == "upscale.creative":
        return "creative upscale invents detail with a generative model; it needs stability"
    if kind == "edit.general":
        try:
            parse_instruction(fields.get("prompt") or "")
        except Exception as exc:  # the parser explains what it could not do
            return f"{exc}".rstrip(".") + "; general edits beyond these adjustments need stability or gemini"
    return None
