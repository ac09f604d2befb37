"""What an offer cannot do within the kinds it lists, read from its data in the catalog. The gateway asks
before accepting a request, so such a request gets a 422 naming a provider that can and nothing is
reserved; the provider reads the same data when it does the work."""

from studio_common.catalog import ModelOffer
from studio_common.edit_instructions import parse_instruction


def text_selection(select_prompt: str, words: tuple[str, ...]) -> str | None:
    """``subject`` or ``background`` when the selection is one of the words an offer finds by text."""
    said = " ".join(select_prompt.lower().replace("the ", " ").split())
    if said not in words:
        return None
    return "background" if said == "background" else "subject"


def refusal(offer: ModelOffer, kind: str, fields: dict, roles: set[str]) -> str | None:
    """Why `offer` cannot do this request (its fields and the input roles given), or None."""
    name = f"the {offer.provider} provider"
    if (
        kind == "edit.search_recolor"
        and offer.select_words
        and "mask" not in roles
        and text_selection(str(fields.get("select_prompt") or ""), offer.select_words) is None
    ):
        return (
            f"{name} finds only the main subject or the background by text (select_prompt one of: "
            f"{', '.join(offer.select_words)}): give a mask of the region to recolour, or use stability"
        )
    for needed_kind, alternatives, why in offer.needs_inputs:
        if kind == needed_kind and not any(a in roles or fields.get(a) for a in alternatives):
            *others, last = alternatives
            return (
                f"{name} {why}: give {', '.join(others)} or {last}"
                if others
                else f"{name} {why}: give {last}"
            )
    if kind == "edit.general" and offer.instructions == "adjustments":
        try:
            parse_instruction(fields.get("prompt") or "")
        except ValueError as exc:  # the parser explains what it could not do
            return f"{exc}".rstrip(".") + "; general edits beyond these adjustments need stability or gemini"
    return None
