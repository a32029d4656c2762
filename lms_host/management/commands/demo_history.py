"""
``demo_history``: a year of generated learners for the demo's reporting (seeded, idempotent).

Each generated learner follows one programme for a while: courses one after another, weeks apart, each with a
grade and a share of the content completed drawn at random; some stop on the way. Every observation goes through
the plugin's own api (``record_completion``, ``record_grade``) with the platform's clock set to the moment it
happened, so the awards, their signed credentials and the degrees carry the dates of that year, exactly as the
event path would have made them. A few awards are revoked later. Nothing here is used outside the demo.
"""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from microdegree_xblock import api

PREFIX = "history-"
GRADE_EVENT = "org.openedx.learning.course.persistent_grade_summary.changed.v1"
COMPLETION_EVENT = "microdegree.demo.completion"
# The chance that a learner stops before each next course.
STOP_CHANCE = 0.12


class Command(BaseCommand):
    """Generate a year of learners' progress, through the plugin's api, for the reporting dashboard."""

    help = "Generate a year of learners' progress for the demo's reporting (seeded; does nothing the second time)."

    def add_arguments(self, parser):
        """``--learners`` (300) and ``--seed`` (2026)."""
        parser.add_argument("--learners", type=int, default=300, help="how many learners to generate (300)")
        parser.add_argument("--seed", type=int, default=2026, help="the random seed (2026)")

    def handle(self, *args, **options):
        """Generate the learners unless the history is there already."""
        users = get_user_model().objects
        if users.filter(username__startswith=PREFIX).exists():
            self.stdout.write("demo history already there")
            return
        # One line per award would drown the demo's console: the generated history logs only its warnings.
        logging.getLogger("microdegree_xblock").setLevel(logging.WARNING)
        rng = random.Random(options["seed"])
        programs = [p for p in api.get_programs() if any(not c.planned for c in p.courses)]
        now = timezone.now()
        start = now - timedelta(days=365)
        awarded = []
        for number in range(options["learners"]):
            user = users.create_user(f"{PREFIX}{number:03d}", f"{PREFIX}{number:03d}@example.org", None,
                                     first_name="Learner", last_name=f"{number:03d}")
            program = rng.choice(programs)
            moment = start + timedelta(days=rng.uniform(0, 300))
            for course in (c for c in program.courses if not c.planned):
                moment += timedelta(days=rng.uniform(5, 45))
                if moment >= now or rng.random() < STOP_CHANCE:
                    break
                percent = round(rng.triangular(0.4, 1.0, 0.84), 2)
                completion = round(min(1.0, max(0.1, percent + rng.uniform(-0.25, 0.2))), 2)
                awarded += self._observe(user.pk, course.course_key, moment, percent=percent, completion=completion)
            if (number + 1) % 50 == 0:
                self.stdout.write(f"  {number + 1} learners generated")
        for award_id in rng.sample(awarded, k=max(1, len(awarded) // 60)):  # a few revoked later
            api.revoke_award(award_id=award_id, reason="Demo: exam result annulled")
        self.stdout.write(f"demo history: {options['learners']} learners over a year, {len(awarded)} course awards")

    @staticmethod
    def _observe(user_id: int, course_key: str, moment: datetime, *, percent: float, completion: float) -> list[str]:
        """Record one learner's completion and grade as of ``moment`` (and the after-commit work, then too)."""
        with mock.patch("django.utils.timezone.now", return_value=moment), transaction.atomic():
            results = [
                api.record_completion(user_id=user_id, course_key=course_key, completion=completion,
                                      event_type=COMPLETION_EVENT, event_time=moment),
                api.record_grade(user_id=user_id, course_key=course_key, percent=percent, event_type=GRADE_EVENT,
                                 event_time=moment),
            ]
        return [award_id for result in results for award_id in result.awarded]
