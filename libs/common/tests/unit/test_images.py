"""The output size limit every image operation shares."""

import pytest

from studio_common.images import MAX_OUTPUT_SIDE, check_output_size


def test_an_output_up_to_the_limit_passes():
    check_output_size(MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE, "the image")


@pytest.mark.parametrize(("width", "height"), [(MAX_OUTPUT_SIDE + 1, 10), (10, 7000)])
def test_a_larger_output_is_refused_naming_size_and_limit(width, height):
    with pytest.raises(ValueError, match=f"would be {width}x{height} pixels; the output limit is 4096"):
        check_output_size(width, height, "the outpainted image")
