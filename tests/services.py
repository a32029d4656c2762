"""
Tests that need a service of the machine (a broker, Redis, a browser): skip without it, except under CI.

A user's machine may not have the service: the test skips and says how to run it. Under CI (``CI=true``, set by
``.ci/run``, which also provides the services) a missing service is a failure, never a silent skip.
"""
from __future__ import annotations

import os
from typing import NoReturn

import pytest


def under_ci() -> bool:
    """Whether the suite runs in CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"


def missing_service(how_to_run: str) -> NoReturn:
    """Skip the test with ``how_to_run``; under CI, fail it."""
    if under_ci():
        pytest.fail(f"CI=true: {how_to_run}")
    pytest.skip(how_to_run)
