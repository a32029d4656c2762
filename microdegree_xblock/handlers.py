"""
Thin receivers: read the event payload, hand plain values to the api, never raise into the sender.

The openedx-events receivers are connected by the LMS through ``plugin_app["signals_config"]``; the optional
ones (edx-completion saves, user retirement) are connected in ``AppConfig.ready`` because their senders exist
only when those packages do.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import api

log = logging.getLogger(__name__)

COMPLETION_EVENT_TYPE = "edx.completion.block_completion.changed"


def _event_time(kwargs: dict[str, Any]) -> datetime:
    metadata = kwargs.get("metadata")
    return getattr(metadata, "time", None) or timezone.now()


def _event_type(kwargs: dict[str, Any], default: str) -> str:
    metadata = kwargs.get("metadata")
    return getattr(metadata, "event_type", None) or default


def grade_summary_changed(sender: Any = None, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    """``PERSISTENT_GRADE_SUMMARY_CHANGED``: the grade percent is the source of the achievement record."""
    try:
        grade = kwargs["grade"]
        user_id, course_key, percent = grade.user_id, grade.course.course_key, grade.percent_grade
    except (KeyError, AttributeError) as exc:
        log.warning("microdegree: malformed grade event dropped (%r): %s", kwargs.get("grade"), exc)
        return
    api.record_grade(
        user_id=user_id, course_key=course_key, percent=percent,
        event_type=_event_type(kwargs, "org.openedx.learning.course.persistent_grade_summary.changed.v1"),
        event_time=_event_time(kwargs),
    )


def course_passing_status_updated(sender: Any = None, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    """``COURSE_PASSING_STATUS_UPDATED`` and its CCX variant: recorded, never granting a record by itself."""
    try:
        status = kwargs["course_passing_status"]
        course = status.course
        # CCX events carry the CCX key, the course the learner actually took.
        course_key = getattr(course, "ccx_course_key", None) or course.course_key
        user_id, is_passing = status.user.id, status.is_passing
    except (KeyError, AttributeError) as exc:
        log.warning("microdegree: malformed passing-status event dropped (%r): %s",
                    kwargs.get("course_passing_status"), exc)
        return
    api.record_passing_status(
        user_id=user_id, course_key=course_key, is_passing=is_passing,
        event_type=_event_type(kwargs, "org.openedx.learning.course.passing.status.updated.v1"),
        event_time=_event_time(kwargs),
    )


def block_completion_saved(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:
    """edx-completion ``BlockCompletion`` saved: re-measure the learner's completion after commit."""
    try:
        user_id, course_key = instance.user_id, instance.context_key
        if not getattr(course_key, "is_course", True) or not api.is_program_course(course_key):
            return
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: completion save for %r not handled", instance)
        return
    when = getattr(instance, "modified", None) or timezone.now()

    def refresh() -> None:
        try:
            # The completion's own user (no query when the saver passed it): the denominator is what they can see.
            api.refresh_completion(user_id=user_id, course_key=course_key, event_type=COMPLETION_EVENT_TYPE,
                                   event_time=when, user=instance.user)
        except Exception:  # pylint: disable=broad-except
            log.exception("microdegree: completion of user %s in %s not recorded", user_id, course_key)

    transaction.on_commit(refresh)


def user_retired(sender: Any = None, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    """The LMS retires a learner's account: forget everything the plugin holds about them."""
    user = kwargs.get("user")
    if user is None:
        log.warning("microdegree: retirement signal without a user ignored")
        return
    api.retire_user(user_id=user.pk)


def user_deleted(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    """
    A user row is deleted (the Django admin, a script): retire the learner first, as the retirement signal would.

    Deleting the user would otherwise take their awards with it by cascade, leaving the status-list bits of their
    credentials at 0 and sending no ``BADGE_REVOKED``, so copies held elsewhere would still verify.
    """
    if instance is not None and instance.pk is not None:
        api.retire_user(user_id=instance.pk)
