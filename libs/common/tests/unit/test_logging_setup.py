"""Service logging: JSON lines on stderr, and chatty libraries held to warnings."""

import logging

import pytest

from studio_common.telemetry import JsonLogFormatter, configure_logging


@pytest.fixture
def restored_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("pyvips", "aiormq", "httpx")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def test_library_chatter_stays_out_of_an_info_log(restored_logging):
    configure_logging("editing", "INFO")
    assert isinstance(logging.getLogger().handlers[0].formatter, JsonLogFormatter)
    assert not logging.getLogger("pyvips").isEnabledFor(logging.INFO)  # a line per threadpool otherwise
    assert logging.getLogger("pyvips").isEnabledFor(logging.WARNING)
    assert not logging.getLogger("aiormq").isEnabledFor(logging.INFO)
    assert logging.getLogger("studio_editing").isEnabledFor(logging.INFO)
