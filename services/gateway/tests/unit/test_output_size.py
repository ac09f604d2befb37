"""An operation that grows its image is refused before anything is reserved when the result is too large."""

import pytest

from studio_common.images import CheckedImage
from studio_gateway.domain.create_request import RequestError
from studio_gateway.domain.studio_operations import Inpaint, Outpaint
from studio_gateway.service_layer.inputs import StoredInput
from studio_gateway.service_layer.studio import check_output_size


def stored(width: int, height: int) -> dict[str, StoredInput]:
    image = CheckedImage(b"", "image/png", width, height, "RGB")
    return {"image": StoredInput("image", "k", image)}


def test_outpaint_up_to_the_limit_passes():
    check_output_size(Outpaint(left=1000, right=1096), stored(2000, 3000))  # 4096 x 3000


@pytest.mark.parametrize(
    ("sides", "size"), [({"left": 2000, "right": 2000}, (3000, 3000)), ({"up": 1}, (10, 4096))]
)
def test_outpaint_beyond_the_limit_is_refused_naming_it(sides, size):
    with pytest.raises(RequestError) as refused:
        check_output_size(Outpaint(**sides), stored(*size))
    assert refused.value.field == "image" and "limit is 4096 pixels a side" in str(refused.value)


def test_operations_that_keep_the_size_are_not_checked():
    check_output_size(Inpaint(prompt="x"), stored(4096, 4096))
