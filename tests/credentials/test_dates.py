"""
``iso_z``: timestamps as XML Schema ``dateTime`` in UTC with a ``Z``, to the second (as VC Data Model 2.0 dates).
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from microdegree_xblock.credentials.dates import iso_z


def test_naive_times_are_taken_as_utc():
    assert iso_z(datetime(2024, 3, 5, 7, 8, 9)) == "2024-03-05T07:08:09Z"


def test_aware_times_are_converted_to_utc():
    berlin_summer = timezone(timedelta(hours=2))
    assert iso_z(datetime(2024, 7, 1, 1, 30, tzinfo=berlin_summer)) == "2024-06-30T23:30:00Z"
    assert iso_z(datetime(2024, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5)))) == "2025-01-01T01:00:00Z"
    assert iso_z(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00Z"


def test_to_the_second_with_a_trailing_z():
    text = iso_z(datetime(2024, 3, 5, 7, 8, 9, 999_999, tzinfo=UTC))
    assert text == "2024-03-05T07:08:09Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    assert datetime.fromisoformat(text) == datetime(2024, 3, 5, 7, 8, 9, tzinfo=UTC)
