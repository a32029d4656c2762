"""Devstack / Tutor dev settings: same as common."""
from __future__ import annotations

from typing import Any

from . import common


def plugin_settings(settings: Any) -> None:
    """Apply the common defaults."""
    common.plugin_settings(settings)
