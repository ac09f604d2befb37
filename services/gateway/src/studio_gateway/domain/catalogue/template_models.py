"""The provider/model pairs templates suggest."""

# Provider/model choices: premium → Stability Ultra or Ideogram Quality; layouts that carry words (ads,
# thumbnails, banners) → Ideogram, which renders text best; drafts → Qwen Image or Stability Core.
ULTRA = ("stability", "ultra")
CORE = ("stability", "core")
SD35_LARGE = ("stability", "sd3.5-large")
SD35_TURBO = ("stability", "sd3.5-large-turbo")
SD35_MEDIUM = ("stability", "sd3.5-medium")
IDEOGRAM_TURBO = ("wavespeed", "ideogram-v3-turbo")
IDEOGRAM_BALANCED = ("wavespeed", "ideogram-v3-balanced")
IDEOGRAM_QUALITY = ("wavespeed", "ideogram-v3-quality")
QWEN = ("wavespeed", "qwen-image")
FLUX_SCHNELL = ("huggingface", "black-forest-labs/FLUX.1-schnell")
GEMINI_IMAGE = ("gemini", "gemini-2.5-flash-image")
