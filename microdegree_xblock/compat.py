"""
The only module that imports edx-platform or optional packages (edx-completion, edx-drf-extensions, Celery).

Every function here works, with a documented fallback, when the platform or the package is absent, so the plugin
installs, runs its demo and passes its tests outside an LMS.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, cast

from django.core.cache import cache
from django.dispatch import Signal
from opaque_keys.edx.keys import CourseKey

from . import conf

log = logging.getLogger(__name__)

# Fallback retirement signal, sent by nobody outside the LMS (tests send it to exercise the receiver).
_LOCAL_RETIREMENT_SIGNAL = Signal()
COMPLETABLE_CACHE_SECONDS = 24 * 60 * 60


def get_block_completion_model() -> Any:
    """edx-completion's ``BlockCompletion`` model, or None when edx-completion is not installed."""
    try:
        from completion.models import BlockCompletion  # pylint: disable=import-outside-toplevel
    except (ImportError, RuntimeError):
        # RuntimeError: installed but not in INSTALLED_APPS.
        return None
    return BlockCompletion


def get_persistent_grade_model() -> Any:
    """The LMS's ``PersistentCourseGrade`` model (every learner's persisted course grade), or None outside the LMS."""
    try:
        from lms.djangoapps.grades.models import PersistentCourseGrade  # pylint: disable=import-outside-toplevel
    except (ImportError, RuntimeError):
        return None
    return PersistentCourseGrade


def iter_persistent_grades(course_keys: Iterable[CourseKey], *, user_ids: Iterable[int] | None = None,
                           after: int = 0, batch_size: int = 1000) -> Iterator[list[tuple[Any, ...]]]:
    """
    The LMS's persisted course grades of the given courses, in batches, in the order of their ids.

    Each row is ``(id, user_id, course_key, percent_grade, passed_timestamp, modified)``; ``after`` is the id to
    continue after (a resumed backfill). One indexed query per batch, whatever the table's size; nothing outside the
    LMS (no such model).
    """
    model = get_persistent_grade_model()
    if model is None:
        return
    rows = model.objects.filter(course_id__in=list(course_keys))
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    fields = ("id", "user_id", "course_id", "percent_grade", "passed_timestamp", "modified")
    while True:
        batch = list(rows.filter(id__gt=after).order_by("id").values_list(*fields)[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1][0]


def iter_completion_sums(course_keys: Iterable[CourseKey], *, user_ids: Iterable[int] | None = None,
                         after: tuple[int, str] | None = None, batch_size: int = 1000
                         ) -> Iterator[list[tuple[int, str, float]]]:
    """
    Each learner's summed block completions per course (edx-completion's ``BlockCompletion``), in batches.

    Rows are ``(user_id, course_key, completion sum)`` in the order of (user id, course key); ``after`` is the pair
    to continue after. One grouped, indexed query per batch; nothing without edx-completion.
    """
    from django.db.models import Q, Sum  # pylint: disable=import-outside-toplevel

    model = get_block_completion_model()
    if model is None:
        return
    rows = model.objects.filter(context_key__in=list(course_keys))
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    while True:
        page = rows
        if after is not None:
            user_id, key = after
            page = rows.filter(Q(user_id__gt=user_id) | Q(user_id=user_id, context_key__gt=key))
        batch = [(user_id, str(key), float(done or 0)) for user_id, key, done in
                 page.values("user_id", "context_key").annotate(done=Sum("completion"))
                 .order_by("user_id", "context_key").values_list("user_id", "context_key", "done")[:batch_size]]
        if not batch:
            return
        yield batch
        after = (batch[-1][0], batch[-1][1])


def get_retirement_signal() -> Signal:
    """The LMS signal sent when a learner's account is retired (``USER_RETIRE_LMS_MISC``), or a local stand-in."""
    try:
        from openedx.core.djangoapps.user_api.accounts.signals import (  # pylint: disable=import-outside-toplevel
            USER_RETIRE_LMS_MISC,
        )
    except ImportError:
        return _LOCAL_RETIREMENT_SIGNAL
    return cast(Signal, USER_RETIRE_LMS_MISC)


def _platform_course_version(course_key: CourseKey) -> tuple[Any, str] | None:
    """The collected block structure of a course and its content version, or None outside the LMS."""
    try:
        from openedx.core.djangoapps.content.block_structure.api import (  # pylint: disable=import-outside-toplevel
            get_course_in_cache,
        )
    except ImportError:
        return None
    structure = get_course_in_cache(course_key)
    root = structure.root_block_usage_key
    version = structure.get_xblock_field(root, "course_version") or structure.get_xblock_field(
        root, "subtree_edited_on"
    )
    return structure, str(version or "")


def _count_completable(structure: Any) -> int:
    from xblock.completable import XBlockCompletionMode  # pylint: disable=import-outside-toplevel

    skip = {XBlockCompletionMode.AGGREGATOR, XBlockCompletionMode.EXCLUDED}
    count = 0
    for key in structure.topological_traversal():
        if structure.get_children(key):
            continue
        mode = structure.get_xblock_field(key, "completion_mode") or XBlockCompletionMode.COMPLETABLE
        if mode not in skip:
            count += 1
    return count


def get_completable_block_count(course_key: CourseKey) -> int | None:
    """
    The number of completable leaf blocks of a course, or None when unknown.

    Inside the LMS it is counted from the course's collected block structure and cached per course version.
    ``settings.MICRODEGREE_COMPLETABLE_BLOCKS`` (course key -> count) overrides it, and is the source outside the
    LMS (the demo and the tests).
    """
    overrides = conf.completable_blocks()
    if str(course_key) in overrides:
        return overrides[str(course_key)]
    try:
        found = _platform_course_version(course_key)
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: could not read the block structure of %s", course_key)
        return None
    if found is None:
        return None
    structure, version = found
    cache_key = f"microdegree.completable.{course_key}.{version}"
    count: int | None = cache.get(cache_key)
    if count is None:
        count = _count_completable(structure)
        cache.set(cache_key, count, COMPLETABLE_CACHE_SECONDS)
    return count


def get_user_full_name(user: Any) -> str:
    """The learner's full name: the LMS profile name, else Django's full name."""
    profile = getattr(user, "profile", None)
    name = getattr(profile, "name", "") if profile is not None else ""
    return name or user.get_full_name()


def send_badge_event(*, revoked: bool, badge_uuid: str, user: Any, template_uuid: str, origin: str, name: str,
                     description: str) -> None:
    """
    Send openedx-events' ``BADGE_AWARDED`` or ``BADGE_REVOKED`` for one award.

    ``user`` is the learner's user object, loaded by the caller: after a user is deleted, it is what remains.
    """
    from openedx_events.learning.data import (  # pylint: disable=import-outside-toplevel
        BadgeData,
        BadgeTemplateData,
        UserData,
        UserPersonalData,
    )
    from openedx_events.learning.signals import BADGE_AWARDED, BADGE_REVOKED  # pylint: disable=import-outside-toplevel

    signal = BADGE_REVOKED if revoked else BADGE_AWARDED
    signal.send_event(badge=BadgeData(
        uuid=badge_uuid,
        user=UserData(
            id=user.pk, is_active=user.is_active,
            pii=UserPersonalData(username=user.get_username(), email=user.email, name=get_user_full_name(user)),
        ),
        template=BadgeTemplateData(uuid=template_uuid, origin=origin, name=name, description=description),
    ))


def send_task(name: str, *args: Any) -> None:
    """Send a Celery task by name (Celery is the LMS's; without it the task cannot be queued)."""
    from celery import current_app  # pylint: disable=import-outside-toplevel

    current_app.send_task(name, args=list(args))


def jwt_authentication_classes() -> list[type]:
    """edx-drf-extensions' JWT authentication (what Open edX MFEs send), when it is installed."""
    try:
        from edx_rest_framework_extensions.auth.jwt.authentication import (  # pylint: disable=import-outside-toplevel
            JwtAuthentication,
        )
    except ImportError:
        return []
    return [JwtAuthentication]
