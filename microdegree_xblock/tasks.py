"""
Celery tasks: thin wrappers around the api, used when ``MICRODEGREE_ASYNC_TASKS`` is on.

The api sends them by name, so it never imports this module.
"""
from __future__ import annotations

from celery import shared_task

from . import api

# Acknowledged late, and rejected back to the queue when the worker process running them is lost (a crash, an
# out-of-memory kill, a deploy's SIGKILL): the broker delivers the message again and the work is finished, instead
# of an award left unsigned and unannounced. That is safe because both tasks are idempotent: run again, they sign
# nothing twice, send no award's BADGE_AWARDED twice (``Award.announced_at``) and issue no award twice (the unique
# insert). A crash between an event's send and its record repeats that one event
# (docs/decisions/0028-celery-tasks-acks-late-and-idempotent.rst).
RETRIED_AFTER_A_CRASH = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="microdegree_xblock.tasks.process_awards", **RETRIED_AFTER_A_CRASH)
def process_awards(award_pks: list[int]) -> None:
    """Sign the new awards (by primary key), send ``BADGE_AWARDED`` for them and issue the degrees now due."""
    api.process_awards(award_pks=award_pks)


@shared_task(name="microdegree_xblock.tasks.reconcile", **RETRIED_AFTER_A_CRASH)
def reconcile(course_key: str | None = None) -> int:
    """Issue every award due from the recorded learner states."""
    return api.reconcile(course_key=course_key)


@shared_task(name="microdegree_xblock.tasks.backfill", **RETRIED_AFTER_A_CRASH)
def backfill(program_ids: list[str]) -> int:
    """
    Issue the awards due from the platform's grades in programs' courses (queued when a program is created or changed).

    Resumable and idempotent, so a task delivered again after a crash continues where the first one stopped.
    """
    return api.backfill(program_ids=program_ids).awarded
