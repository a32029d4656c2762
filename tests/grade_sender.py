"""
A separate process that sends real grade events, for tests/test_concurrency.py (run as ``python -m``).

It waits for the start file, then sends ``PERSISTENT_GRADE_SUMMARY_CHANGED`` for every learner, course and grade it
is given, in its own order, on its own database connection, as one LMS worker would. Every warning or error the
plugin logs goes to standard error, for the test to read.
"""
from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
from pathlib import Path


def main() -> None:
    """``python -m tests.grade_sender START_FILE JOB_JSON``."""
    start, job = Path(sys.argv[1]), json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django  # pylint: disable=import-outside-toplevel

    django.setup()
    from tests.conftest import send_grade  # pylint: disable=import-outside-toplevel

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("LOGGED %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("microdegree_xblock").addHandler(handler)
    events = [(user, key, percent) for user in job["users"] for key in job["courses"] for percent in job["grades"]]
    random.Random(job["seed"]).shuffle(events)
    deadline = time.monotonic() + 60
    while not start.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    for user, key, percent in events:
        send_grade(user, key, percent)
    print(len(events))


if __name__ == "__main__":
    main()
