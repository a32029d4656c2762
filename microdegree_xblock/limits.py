"""
The ranges and precisions of the plugin's stored numbers, in one place.

The catalog's checks (program files and the Django admin) refuse a value outside them with a named error, and the
database's own check constraints refuse it from any other writer (a script, raw SQL, an older release), so that no
read ever meets a value it cannot hold or that changes meaning (docs/decisions/0024-catalog-value-limits.rst,
docs/decisions/0026-stored-values-are-constrained.rst).
"""
from __future__ import annotations

from decimal import Decimal

# A course of more than 1,000 hours or 60 ECTS is no course of a micro-degree (one decimal place each).
COURSE_HOURS = (Decimal(0), Decimal(1000))
ECTS = (Decimal(0), Decimal(60))
NUMBER_PLACES = 1
EQF_LEVELS = (1, 8)
# Thresholds are shares of graded points or of content, more than 0 and at most 1, with four decimal places; the
# smallest one a column can hold is 0.0001 (a stored 0 would let a grade of 0 % earn).
SHARE_PLACES = 4
SMALLEST_THRESHOLD = Decimal(1).scaleb(-SHARE_PLACES)
# Measured values (grade, completion) are shares from 0 to 1.
SHARE = (Decimal(0), Decimal(1))
# What a recognition grants (12 CME points, 2 ECTS): more than 0, at most 1,000, one decimal place.
CREDITS = (Decimal(0), Decimal(1000))
