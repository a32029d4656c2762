"""
Production settings: read from the LMS's YAML configuration (``ENV_TOKENS``) when it provides them.
"""
from __future__ import annotations

from typing import Any

from .common import DEFAULTS


def plugin_settings(settings: Any) -> None:
    """Take each MICRODEGREE_* setting from the environment tokens, falling back to the current value."""
    tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    for name, default in DEFAULTS.items():
        setattr(settings, name, tokens.get(name, getattr(settings, name, default)))
