"""Image edits for the offline ``local`` provider, done with classical image processing.

What each operation really does:

* ``remove_background`` - the subject matte of ``models.segment`` (person segmentation where a person
  is found, U2-Net-p otherwise, refined at full resolution; saliency-seeded GrabCut, see
  ``matte.foreground_matte``, when the model files are absent); transparent PNG or WebP. A JPEG request
  is answered with PNG, because JPEG cannot carry the transparency; the output's content type says so.
* ``inpaint`` / ``erase`` - the mask is grown by ``grow_mask`` px and filled from its surroundings
  (OpenCV TELEA plus grain matching the surround). No new content is drawn: inpaint only tints the
  fill towards a colour the prompt names ("red", "light blue", "#ff8800"). Pixels outside the grown
  mask are copied from the input unchanged (bit-exact in PNG output; JPEG and WebP are lossy).
  Without a mask, the image's transparent pixels are filled, as with Stability.
* ``outpaint`` - the canvas grows by exactly ``left/right/up/down``; the new border continues the
  image by mirroring it, fading into a heavy blur with distance, with the seam smoothed by inpainting
  and ``creativity`` adding seeded texture. The original pixels sit unchanged at their offset.
* ``search_recolor`` - recolours the masked region to the colour named in the prompt, keeping its
  shading. Without a mask, a ``select_prompt`` naming the subject (or the background) uses the same
  subject matte as remove_background; finding any other object by text needs stability.
* ``search_replace`` - always refuses: drawing a new object from text needs a generative model.
* ``relight`` - with a ``background_reference``: cuts the subject out, composites it on it and moves
  its tones towards the light reference (or the background) with an optional directional light
  gradient. Without one, the whole image is relit in place (see ``local.light``): the colour
  temperature and exposure the prompts describe ("warm sunset light", "cool moonlight", "dim"), the
  directional gradient and the light reference's tones; no background is drawn from text.
  ``preserve_original_subject`` and ``original_background_depth`` have no local meaning and are ignored.

Masks: white = change, black = keep, the image's size. Inputs with transparency are flattened onto
white before editing (remove_background makes a new alpha channel).
"""

from collections.abc import Callable

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local.edit.fill import erase, inpaint
from studio_providers.local.edit.outpaint import outpaint
from studio_providers.local.edit.relight import relight
from studio_providers.local.edit.subject import remove_background, search_recolor, search_replace

EDIT_OPERATIONS: dict[str, Callable[[ProviderRequest], ProviderOutput]] = {
    "edit.remove_background": remove_background,
    "edit.inpaint": inpaint,
    "edit.erase": erase,
    "edit.outpaint": outpaint,
    "edit.search_recolor": search_recolor,
    "edit.search_replace": search_replace,
    "edit.relight": relight,
}
