"""
Timestamps as credentials write them.
"""
from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_z"]


def iso_z(moment: datetime) -> str:
    """A timestamp as an XML Schema dateTime in UTC with ``Z``, to the second (naive times are taken as UTC)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")
