"""
Generated inputs (hypothesis, schemathesis): the profiles, each test's budget, and the count of generated cases.

Profiles (``HYPOTHESIS_PROFILE`` chooses one; under ``CI=true`` the default is ``ci``, else ``dev``):

- ``ci``: every test's full budget, derandomised, so that CI runs the same cases on every machine (the counts the
  closing notes state are these);
- ``dev``: a tenth of each budget, random, for a quick local run;
- ``deep``: ten times the budget, random (``make fuzz``), to search further than CI does.

Each test counts the cases it ran with :func:`count`; the terminal summary prints the counts per target.
"""
from __future__ import annotations

import collections
import os

from hypothesis import HealthCheck, settings

_SHARED = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
}
settings.register_profile("ci", derandomize=True, print_blob=True, **_SHARED)
settings.register_profile("dev", **_SHARED)
settings.register_profile("deep", **_SHARED)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
settings.load_profile(PROFILE)

_SCALE = {"ci": 1.0, "dev": 0.1, "deep": 10.0}

CASES: collections.Counter[str] = collections.Counter()


def budget(ci_examples: int) -> int:
    """The number of examples a test runs under the current profile, given its budget in CI."""
    return max(10, int(ci_examples * _SCALE.get(PROFILE, 1.0)))


def count(target: str) -> None:
    """Count one generated case of ``target`` (a program file, a grade event, a request to an endpoint...)."""
    CASES[target] += 1

