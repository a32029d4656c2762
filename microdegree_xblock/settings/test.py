"""Test settings: the common defaults, with the after-award work always eager."""
from __future__ import annotations

from typing import Any

from . import common


def plugin_settings(settings: Any) -> None:
    """Apply the common defaults and run tasks eagerly."""
    common.plugin_settings(settings)
    settings.MICRODEGREE_ASYNC_TASKS = False
