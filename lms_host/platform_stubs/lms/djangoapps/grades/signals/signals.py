"""Stand-in for the LMS grades signals module. (see lms_host/platform_stubs/README)."""
from django.dispatch import Signal

PROBLEM_WEIGHTED_SCORE_CHANGED = Signal()
