"""
Settings common to every environment. Each is only set when the host has not set it already.

The settings, their defaults and their meaning are listed in ``microdegree_xblock.conf``.
"""
from __future__ import annotations

from typing import Any

from ..conf import DEFAULTS

__all__ = ["DEFAULTS", "plugin_settings"]


def plugin_settings(settings: Any) -> None:
    """Apply the defaults the host has not set."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
