"""
The only module that imports edx-platform or optional packages (edx-completion, edx-drf-extensions, Celery).

Every function here works, with a documented fallback, when the platform or the package is absent, so the plugin
installs, runs its demo and passes its tests outside an LMS.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import cache
from django.dispatch import Signal
from opaque_keys import InvalidKeyError
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


@dataclass(frozen=True)
class PlatformColumns:
    """The names of a platform table's columns that the backfill reads (for conditions built outside compat)."""

    user: str
    course: str
    value: str
    measured: str
    passed: str = ""


# The LMS's PersistentCourseGrade and edx-completion's BlockCompletion, as the backfill reads them.
GRADE = PlatformColumns(user="user_id", course="course_id", value="percent_grade", measured="modified",
                        passed="passed_timestamp")
COMPLETION = PlatformColumns(user="user_id", course="context_key", value="completion", measured="modified")


def _learner_window(rows: Any, low: int, high: int, user_ids: Iterable[int] | None) -> Any:
    if user_ids is not None:
        return rows.filter(user_id__in=list(user_ids))
    return rows.filter(user_id__gt=low, user_id__lte=high)


def grade_rows(course_keys: Iterable[CourseKey], *, low: int = 0, high: int = 0,
               user_ids: Iterable[int] | None = None) -> Any:
    """
    The LMS's persisted grades of the courses for the learners with ids in ``(low, high]`` (or ``user_ids``).

    A queryset of ``PersistentCourseGrade`` (columns named by :data:`GRADE`) on the LMS's indexes (its learner index,
    or its unique (course, learner) key); None outside the LMS.
    """
    model = get_persistent_grade_model()
    if model is None:
        return None
    return _learner_window(model.objects.filter(course_id__in=list(course_keys)), low, high, user_ids).order_by()


def completion_rows(course_keys: Iterable[CourseKey], *, low: int = 0, high: int = 0,
                    user_ids: Iterable[int] | None = None) -> Any:
    """edx-completion's block completions of the courses, as :func:`grade_rows` (columns :data:`COMPLETION`)."""
    model = get_block_completion_model()
    if model is None:
        return None
    return _learner_window(model.objects.filter(context_key__in=list(course_keys)), low, high, user_ids).order_by()


def platform_database() -> str | None:
    """
    The database alias the platform's grades (and completions) are read from.

    None outside the LMS, or when the grades and the completions live in different databases.
    """
    from django.db import router  # pylint: disable=import-outside-toplevel

    models = [model for model in (get_persistent_grade_model(), get_block_completion_model()) if model is not None]
    aliases = {router.db_for_read(model) for model in models}
    if get_persistent_grade_model() is None or len(aliases) != 1:
        return None
    return aliases.pop()


def persistent_grades(course_keys: Iterable[CourseKey], *, low: int = 0, high: int = 0,
                      user_ids: Iterable[int] | None = None, where: Any = None) -> list[tuple[Any, ...]]:
    """
    The LMS's persisted grades of the courses for the learners in a window (:func:`grade_rows`), as plain rows.

    Rows are ``(user_id, course key text, percent_grade, passed_timestamp, modified)``: the key as stored, not
    parsed (a million rows would parse it a million times). ``where`` (a condition on :data:`GRADE` columns)
    narrows them. One query; nothing outside the LMS.
    """
    from django.db.models import CharField, ExpressionWrapper, F  # pylint: disable=import-outside-toplevel

    rows = grade_rows(course_keys, low=low, high=high, user_ids=user_ids)
    if rows is None:
        return []
    if where is not None:
        rows = rows.filter(where)
    key = ExpressionWrapper(F("course_id"), output_field=CharField())  # read as text: no key parsed per row
    return list(rows.values_list("user_id", key, "percent_grade", "passed_timestamp", "modified"))


def completion_sums(course_keys: Iterable[CourseKey], *, low: int = 0, high: int = 0,
                    user_ids: Iterable[int] | None = None, where: Any = None) -> list[tuple[int, Any, float, Any]]:
    """
    The learners' summed block completions per course (edx-completion's ``BlockCompletion``), as for grades.

    Rows are ``(user_id, course key text, completion sum, latest modified)``; one grouped query on the table's
    (learner, course, modified) index; nothing without edx-completion.
    """
    from django.db.models import CharField, ExpressionWrapper, F, Max, Sum  # pylint: disable=import-outside-toplevel

    rows = completion_rows(course_keys, low=low, high=high, user_ids=user_ids)
    if rows is None:
        return []
    if where is not None:
        rows = rows.filter(where)
    return [(user_id, key, float(done or 0), latest) for user_id, key, done, latest in
            rows.values("user_id", "context_key").annotate(done=Sum("completion"), latest=Max("modified"))
            .order_by().values_list("user_id", ExpressionWrapper(F("context_key"), output_field=CharField()),
                                    "done", "latest")]


def learner_id_range(course_keys: Iterable[CourseKey]) -> tuple[int, int, int]:
    """
    ``(smallest, largest learner id, number of grades)`` over the LMS's persisted grades and completions of courses.

    Two aggregate queries; ``(0, 0, 0)`` outside the LMS.
    """
    from django.db.models import Count, Max, Min  # pylint: disable=import-outside-toplevel

    keys = list(course_keys)
    lows, highs, grades = [], [], 0
    for model, field in ((get_persistent_grade_model(), "course_id"), (get_block_completion_model(), "context_key")):
        if model is None:
            continue
        found = model.objects.filter(**{f"{field}__in": keys}).aggregate(
            low=Min("user_id"), high=Max("user_id"), rows=Count("id"))
        if found["high"] is not None:
            lows.append(found["low"])
            highs.append(found["high"])
            grades += found["rows"] if field == "course_id" else 0
    return (min(lows) if lows else 0), (max(highs) if highs else 0), grades


def get_retirement_signal() -> Signal:
    """The LMS signal sent when a learner's account is retired (``USER_RETIRE_LMS_MISC``), or a local stand-in."""
    try:
        from openedx.core.djangoapps.user_api.accounts.signals import (  # pylint: disable=import-outside-toplevel
            USER_RETIRE_LMS_MISC,
        )
    except ImportError:
        return _LOCAL_RETIREMENT_SIGNAL
    return cast(Signal, USER_RETIRE_LMS_MISC)


def _platform_course_version(root: Any) -> str | None:
    """
    The version of a course's collected block structure, from the LMS's record of it; None when none is collected.

    One query on the ``block_structure`` table's unique usage key; the structure itself is not loaded. The version
    changes whenever the LMS collects the course again (after a publish) or its transformers change (an upgrade).
    Raises ImportError outside the LMS.
    """
    from openedx.core.djangoapps.content.block_structure.exceptions import (  # pylint: disable=import-outside-toplevel
        BlockStructureNotFound,
    )
    from openedx.core.djangoapps.content.block_structure.models import (  # pylint: disable=import-outside-toplevel
        BlockStructureModel,
    )

    try:
        stored = BlockStructureModel.get(root)
    except BlockStructureNotFound:
        return None
    return "|".join(str(getattr(stored, name, "")) for name in BlockStructureModel.VERSION_FIELDS)


def _completable_leaves(structure: Any) -> list[Any]:
    """The blocks of a structure without children whose completion mode is neither aggregator nor excluded."""
    from xblock.completable import XBlockCompletionMode  # pylint: disable=import-outside-toplevel

    skip = {XBlockCompletionMode.AGGREGATOR, XBlockCompletionMode.EXCLUDED}
    return [key for key in structure.topological_traversal() if not structure.get_children(key) and (
        structure.get_xblock_field(key, "completion_mode") or XBlockCompletionMode.COMPLETABLE) not in skip]


def _count_for_learner(user: Any, root: Any) -> int:
    """
    The completable leaves of the learner's own course blocks, built as the LMS's progress page builds them.

    The call of ``courseware.courses.get_course_blocks_completion_summary``: the LMS's default access transformers
    for this learner (staff-only content, user partitions such as cohorts and enrollment tracks, split tests,
    randomized library content, date overrides), content released later counted as part of the course, so that the
    count depends on the course version and the learner, never on the day.
    """
    from lms.djangoapps.course_blocks.api import get_course_blocks  # pylint: disable=import-outside-toplevel

    return len(_completable_leaves(get_course_blocks(user, root, allow_start_dates_in_future=True)))


def _count_for_any_learner(course_key: CourseKey) -> int:
    """
    The completable leaves of the course's collected structure, less those visible to staff only.

    No smaller than any learner's own count without staff access (the transformers only remove blocks from the
    collected structure), and equal to it in a course without group-restricted or randomized content.
    """
    from lms.djangoapps.course_blocks.transformers.visibility import (  # pylint: disable=import-outside-toplevel
        VisibilityTransformer,
    )
    from openedx.core.djangoapps.content.block_structure.api import (  # pylint: disable=import-outside-toplevel
        get_course_in_cache,
    )

    structure = get_course_in_cache(course_key)
    staff_only = VisibilityTransformer.MERGED_VISIBLE_TO_STAFF_ONLY
    return sum(1 for key in _completable_leaves(structure)
               if not structure.get_transformer_block_field(key, VisibilityTransformer, staff_only, False))


def get_completable_block_count(course_key: CourseKey, user: Any = None) -> int | None:
    """
    The number of completable blocks of a course that the learner can see, or None when unknown.

    ``settings.MICRODEGREE_COMPLETABLE_BLOCKS`` (course key -> count) overrides it, and is the only source outside the
    LMS (the demo and the tests). Inside the LMS: for a learner (``user``), the completable leaves of their own course
    blocks; without one (a backfill), those of the collected structure that are not staff-only, a count no smaller
    than any learner's. Each count is cached under the course, the version of its collected structure and the learner,
    so that a completion save finds it with one query and a cache read. A course whose structure the LMS has not
    collected is not counted (the plugin never collects one); a platform error is logged. See docs/decisions/0004.
    """
    overrides = conf.completable_blocks()
    if str(course_key) in overrides:
        return overrides[str(course_key)]
    root = course_key.make_usage_key("course", "course")
    who = "any learner" if user is None else f"user {user.pk}"
    try:
        version = _platform_course_version(root)
    except ImportError:
        return None  # outside the LMS
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: could not read the block structure version of %s", course_key)
        return None
    if version is None:
        log.info("microdegree: %s has no collected block structure; its completable blocks are not counted", course_key)
        return None
    cache_key = "microdegree.completable." + hashlib.sha256(f"{course_key}|{version}|{who}".encode()).hexdigest()
    count: int | None = cache.get(cache_key)
    if count is None:
        try:
            count = _count_for_any_learner(course_key) if user is None else _count_for_learner(user, root)
        except Exception:  # pylint: disable=broad-except
            log.exception("microdegree: could not count the completable blocks of %s for %s", course_key, who)
            return None
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


def tracking_enabled() -> bool:
    """Whether Open edX's event tracker (``eventtracking``) is there to take tracking-log events."""
    try:
        from eventtracking import tracker  # pylint: disable=import-outside-toplevel
    except ImportError:
        return False
    return tracker.DEFAULT_TRACKER_NAME in tracker.TRACKERS


def emit_tracking_event(name: str, data: dict[str, Any], *, course_key: str | None = None) -> None:
    """
    Emit a tracking-log event through Open edX's ``eventtracking``, as the LMS's own apps do; nothing without it.

    The LMS's pipelines (the tracking log, event-routing-backends to xAPI/Caliper, Aspects) take it from there. The
    course, when there is one, goes into the event's context (``course_id``, ``org_id``), as the LMS's events carry
    it. Never raises: analytics must not break what the learner does.
    """
    if not tracking_enabled():
        return
    from eventtracking import tracker  # pylint: disable=import-outside-toplevel

    context: dict[str, Any] = {}
    if course_key:
        try:
            context = {"course_id": course_key, "org_id": CourseKey.from_string(course_key).org}
        except InvalidKeyError:
            context = {"course_id": course_key}
    try:
        current = tracker.get_tracker()
        with current.context(name, context):
            current.emit(name, data)
    except Exception:  # pylint: disable=broad-except
        log.exception("microdegree: the tracking-log event %s could not be emitted", name)
