"""Reading a plain-words edit: adjustments in order, anything else refused by name."""

import pytest

from studio_common.catalog import Incapable
from studio_common.edit_instructions import Adjustment, parse_instruction


def test_adjustments_come_in_the_order_written_with_their_intensity():
    assert parse_instruction("make it brighter and warmer, then slightly blur") == [
        Adjustment("brightness", 1, 1.0),
        Adjustment("warmth", 1, 1.0),
        Adjustment("sharpness", -1, 0.5),
    ]
    assert parse_instruction("it's too dark") == [Adjustment("brightness", 1, 1.0)]
    assert parse_instruction("Black & White") == [Adjustment("grayscale", 1, 1.0)]


def test_what_it_cannot_do_is_refused_naming_it():
    with pytest.raises(Incapable, match="'add a hat'"):
        parse_instruction("make it brighter and add a hat")
    with pytest.raises(Incapable, match="no adjustment"):
        parse_instruction("please")
    with pytest.raises(ValueError, match="prompt"):
        parse_instruction("  ")
