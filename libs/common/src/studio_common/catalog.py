"""What each provider can do and what it lists for it: the data behind the registry and the price table.

List prices are in credits (1 credit = US$0.01) per unit; billing adds the operator's margin and rounds
up. Hugging Face and Gemini have no fixed public per-image price, so the operator sets theirs.
"""

from dataclasses import dataclass, field

from studio_common.operation_rules import operation_model

QUALITY_RANK = {"draft": 0, "standard": 1, "premium": 2}


class Incapable(ValueError):
    """An offer cannot honestly do what was asked; the message says what it can do instead."""


@dataclass(frozen=True, slots=True)
class ModelOffer:
    provider: str
    model: str
    kinds: tuple[str, ...]
    list_price: float
    unit: str = "image"  # image | second
    quality: str = "standard"
    max_side: int = 4096
    # Providers generate at their own sizes; outputs are then resized or cropped to the exact request.
    size_multiple: int = 1
    minimum_units: int = 1
    description: str = ""
    # Video models priced per resolution serve only theirs; empty means any resolution.
    resolutions: tuple[str, ...] = ()
    # What the offer understands within its kinds, read by the gateway's admission checks
    # (`studio_common.capabilities`) and by the provider doing the work; the defaults mean no limit.
    # edit.search_recolor without a mask: the only regions it finds by text (empty: any text).
    select_words: tuple[str, ...] = ()
    # edit.general: "adjustments" reads only global adjustments (`studio_common.edit_instructions`).
    instructions: str = "any"
    # (kind, alternatives, why): for that kind the offer needs at least one of the alternatives, each an
    # input role or a request field.
    needs_inputs: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    # upscale.*: the output ceiling, sizes planned by `studio_common.upscale_plan` (None: the provider's).
    max_output_pixels: int | None = None

    def serves(self, resolution: str | None) -> bool:
        return not self.resolutions or resolution is None or resolution in self.resolutions


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    title: str
    offline: bool
    models: tuple[ModelOffer, ...] = field(default_factory=tuple)

    def kinds(self) -> set[str]:
        return {kind for offer in self.models for kind in offer.kinds}


_STABILITY_EDITS = {
    "edit.erase": 5,
    "edit.inpaint": 5,
    "edit.outpaint": 4,
    "edit.search_replace": 5,
    "edit.search_recolor": 5,
    "edit.remove_background": 5,
    "edit.relight": 8,
    "upscale.fast": 2,
    "upscale.conservative": 40,
    "upscale.creative": 60,
    "control.sketch": 5,
    "control.structure": 5,
    "control.style": 5,
    "control.style_transfer": 8,
    "transform.3d": 10,
}
LOCAL_KINDS = (
    "create",
    "edit.remove_background",
    "edit.inpaint",
    "edit.erase",
    "edit.outpaint",
    "edit.search_recolor",
    "edit.relight",
    "edit.general",
    "upscale.fast",
    "upscale.conservative",
    "upscale.auto",
    "control.sketch",
    "control.structure",
    "control.style",
    "control.style_transfer",
)

PROVIDERS: tuple[ProviderInfo, ...] = (
    ProviderInfo(
        "local",
        "Local renderer (offline)",
        offline=True,
        models=(
            ModelOffer(
                "local",
                "local-render",
                LOCAL_KINDS,
                1,
                quality="draft",
                description="Procedural art and classical image processing; no AI model, no network",
                # The subject matte separates the main subject from the background, nothing finer.
                select_words=("subject", "main subject", "foreground", "person", "people", "background"),
                instructions="adjustments",
                needs_inputs=(
                    (
                        "edit.relight",
                        (
                            "background_reference",
                            "light_reference",
                            "light_source_direction",
                            "background_prompt",
                        ),
                        "relights from a light it is given",
                    ),
                ),
                max_output_pixels=4096 * 4096,  # 16 MP, the ceiling of Stability's fast upscaler
            ),
            ModelOffer(
                "local",
                "local-video",
                ("transform.video", "transform.avatar"),
                1,
                unit="second",
                quality="draft",
                description="Camera-motion video and loudness-driven avatar, H.264",
            ),
            ModelOffer(
                "local",
                "local-relief",
                ("transform.3d",),
                1,
                quality="draft",
                description="A height-field relief GLB from the image; not a full 3D reconstruction",
            ),
            ModelOffer(
                "local",
                "local-social",
                ("social.optimize",),
                1,
                quality="standard",
                description="Smart crops for every social format, faces first, each within its size limit",
            ),
        ),
    ),
    ProviderInfo(
        "stability",
        "Stability AI",
        offline=False,
        models=(
            ModelOffer("stability", "ultra", ("create",), 8, quality="premium", max_side=1536),
            ModelOffer("stability", "core", ("create",), 3, quality="standard", max_side=1536),
            ModelOffer("stability", "sd3.5-large", ("create",), 6.5, quality="premium", max_side=1536),
            ModelOffer("stability", "sd3.5-large-turbo", ("create",), 4, quality="standard", max_side=1536),
            ModelOffer("stability", "sd3.5-medium", ("create",), 3.5, quality="standard", max_side=1536),
            *(
                ModelOffer("stability", operation_model(kind), (kind,), price, quality="premium")
                for kind, price in _STABILITY_EDITS.items()
            ),
        ),
    ),
    ProviderInfo(
        "wavespeed",
        "WaveSpeed",
        offline=False,
        models=(
            ModelOffer("wavespeed", "ideogram-v3-turbo", ("create",), 3, quality="standard", max_side=1536),
            ModelOffer(
                "wavespeed", "ideogram-v3-balanced", ("create",), 6, quality="standard", max_side=1536
            ),
            ModelOffer("wavespeed", "ideogram-v3-quality", ("create",), 9, quality="premium", max_side=1536),
            ModelOffer("wavespeed", "qwen-image", ("create",), 2, quality="draft", max_side=1536),
            *(
                ModelOffer(
                    "wavespeed",
                    f"wan-2.5-{res}",
                    ("transform.video",),
                    price,
                    unit="second",
                    quality="standard" if res == "480p" else "premium",
                    resolutions=(res,),
                )
                for res, price in (("480p", 5), ("720p", 10), ("1080p", 15))
            ),
            *(
                ModelOffer(
                    "wavespeed",
                    f"infinitetalk-{res}",
                    ("transform.avatar",),
                    price,
                    unit="second",
                    minimum_units=5,
                    quality="standard" if res == "480p" else "premium",
                    resolutions=(res,),
                )
                for res, price in (("480p", 3), ("720p", 6))
            ),
        ),
    ),
    ProviderInfo(
        "huggingface",
        "Hugging Face Inference",
        offline=False,
        models=(
            ModelOffer(
                "huggingface",
                "black-forest-labs/FLUX.1-schnell",
                ("create",),
                3,
                quality="standard",
                max_side=1440,
                size_multiple=16,
            ),
            ModelOffer(
                "huggingface",
                "stabilityai/stable-diffusion-xl-base-1.0",
                ("create",),
                3,
                quality="standard",
                max_side=1536,
                size_multiple=8,
            ),
        ),
    ),
    ProviderInfo(
        "gemini",
        "Google Gemini",
        offline=False,
        models=(
            ModelOffer("gemini", "gemini-2.5-flash-image", ("create",), 4, quality="premium", max_side=1536),
        ),
    ),
)
PROVIDERS_BY_NAME = {p.name: p for p in PROVIDERS}


def find_offer(provider: str, model: str) -> ModelOffer | None:
    info = PROVIDERS_BY_NAME.get(provider)
    return next((m for m in info.models if m.model == model), None) if info else None


def offers_for(kind: str, providers: list[str] | None = None) -> list[ModelOffer]:
    names = providers if providers is not None else list(PROVIDERS_BY_NAME)
    return [
        m for n in names if n in PROVIDERS_BY_NAME for m in PROVIDERS_BY_NAME[n].models if kind in m.kinds
    ]


def best_offer(offers: list[ModelOffer]) -> ModelOffer | None:
    """The best-value offer: highest quality tier, then lowest price."""
    return min(offers, key=lambda m: (-QUALITY_RANK[m.quality], m.list_price), default=None)


def auto_offers(kind: str, enabled: list[str], quality: str | None = None) -> list[ModelOffer]:
    """Candidates for `auto`, best first: matching quality tier first, then cheaper, then the rest."""
    wanted = QUALITY_RANK.get(quality or "standard", 1)
    candidates = offers_for(kind, enabled)
    return sorted(candidates, key=lambda m: (abs(QUALITY_RANK[m.quality] - wanted), m.list_price))
