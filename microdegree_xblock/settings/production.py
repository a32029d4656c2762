"""
Production settings: the operator's YAML values are already the LMS's settings; only missing ones get defaults.

The platform (Teak and later) merges its YAML configuration into the settings module before it applies the plugins'
production settings, so ``MICRODEGREE_*`` values set there are in place. ``ENV_TOKENS`` is kept by the platform only
for backwards compatibility ("Please do not add new references to these dicts", ``lms/envs/production.py``): it is
not read here.

``MICRODEGREE_EVENT_BUS`` set in the YAML adds the badge events to ``EVENT_BUS_PRODUCER_CONFIG`` here; the platform
then merges the YAML's own ``EVENT_BUS_PRODUCER_CONFIG`` over it, so the operator's entries still win.
"""
from __future__ import annotations

from typing import Any

from .common import DEFAULTS, add_badge_events_to_event_bus


def plugin_settings(settings: Any) -> None:
    """Give each MICRODEGREE_* setting the operator did not set its default; add the badge events when turned on."""
    for name, default in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, default)
    add_badge_events_to_event_bus(settings)
