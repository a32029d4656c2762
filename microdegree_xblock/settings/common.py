"""
Settings common to every environment. Each is only set when the host has not set it already.

The settings, their defaults and their meaning are listed in ``microdegree_xblock.conf``. With
``MICRODEGREE_EVENT_BUS`` on, the badge events are also added to the LMS's ``EVENT_BUS_PRODUCER_CONFIG``
(docs/decisions/0029).
"""
from __future__ import annotations

from typing import Any

from ..conf import BADGE_EVENT_TYPES, DEFAULTS, EVENT_BUS_KEY_FIELD, EVENT_BUS_TOPIC

__all__ = ["DEFAULTS", "add_badge_events_to_event_bus", "plugin_settings"]


def plugin_settings(settings: Any) -> None:
    """Apply the defaults the host has not set; add the badge events to the event bus when it is turned on."""
    for name, value in DEFAULTS.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    add_badge_events_to_event_bus(settings)


def add_badge_events_to_event_bus(settings: Any) -> None:
    """
    With ``MICRODEGREE_EVENT_BUS`` True, add ``BADGE_AWARDED`` and ``BADGE_REVOKED`` to ``EVENT_BUS_PRODUCER_CONFIG``.

    Each goes to the topic ``learning-badges-lifecycle``, keyed by ``badge.uuid``, enabled. What the operator
    configured for that event type and topic wins, field by field (as openedx-events' ``merge_producer_configs``
    lets the YAML win); other event types and topics are kept as they are. Off (or not a bool, which the system
    check reports): nothing is added. Running it again changes nothing. A new dict is set, so a dict the host shares
    (the YAML's) is never changed in place.
    """
    if getattr(settings, "MICRODEGREE_EVENT_BUS", False) is not True:
        return
    configured = getattr(settings, "EVENT_BUS_PRODUCER_CONFIG", None)
    if configured is None:
        configured = {}
    if not isinstance(configured, dict):
        return  # openedx-events refuses it at start-up with its own message
    combined = dict(configured)
    for event_type in BADGE_EVENT_TYPES:
        topics = combined.get(event_type)
        if topics is None:
            topics = {}
        if not isinstance(topics, dict):
            continue  # ditto
        entry = topics.get(EVENT_BUS_TOPIC)
        if entry is None:
            entry = {}
        if isinstance(entry, dict):  # anything else: ditto
            entry = {"event_key_field": EVENT_BUS_KEY_FIELD, "enabled": True, **entry}
        combined[event_type] = {**topics, EVENT_BUS_TOPIC: entry}
    settings.EVENT_BUS_PRODUCER_CONFIG = combined
