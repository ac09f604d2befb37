"""The local provider's transform operations: image to video (camera move), talking avatar
(loudness-driven motion, not lip-sync) and image to 3D (a 2.5D relief GLB)."""

from studio_providers.local.avatar import transform_avatar
from studio_providers.local.model3d import transform_3d
from studio_providers.local.video import transform_video

TRANSFORM_OPERATIONS = {
    "transform.video": transform_video,
    "transform.avatar": transform_avatar,
    "transform.3d": transform_3d,
}
