"""
Celery tasks: thin wrappers around the api, used when ``MICRODEGREE_ASYNC_TASKS`` is on.

The api sends them by name, so it never imports this module.
"""
from __future__ import annotations

from celery import shared_task

from . import api


# Not acks_late: a task re-run after a worker crash would send BADGE_AWARDED twice; a lost run is recovered by
# ``microdegree_programs reconcile`` (degrees), and its events are logged.
@shared_task(name="microdegree_xblock.tasks.process_awards")
def process_awards(award_pks: list[int]) -> None:
    """Sign the new awards (by primary key), send ``BADGE_AWARDED`` for them and issue the degrees now due."""
    api.process_awards(award_pks=award_pks)


@shared_task(name="microdegree_xblock.tasks.reconcile")
def reconcile(course_key: str | None = None) -> int:
    """Issue every award due from the recorded learner states."""
    return api.reconcile(course_key=course_key)
