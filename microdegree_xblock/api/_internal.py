"""
The api's shared private helpers: model rows to plain data, id parsing, the catalog's one prefetch.

Every api module builds on these; nothing outside the api package imports them. Naming: ``*_id`` is a public id
(a program's or an issuer's slug, an award's UUID, a course key), ``*_pk`` a database primary key.
"""
from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import Exists, Field, OuterRef, Prefetch, QuerySet
from opaque_keys import InvalidKeyError
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey

from .. import conf, rules
from ..catalog import compared_course_key
from ..data import DEGREE, AwardInfo, CourseInfo, CourseRule, IssuerInfo, ProgramInfo, RecognitionRule
from ..exceptions import UnknownAward
from ..models import Award, Issuer, LearnerCourseState, Program, ProgramCourse, ProgramIssuer, Recognition

log = logging.getLogger(__name__)

BADGE_ORIGIN = "microdegree"
# The stored course key of a degree or a whole programme's recognition, as a query compares it (the empty text;
# the field would read "" as a key to parse, and None as NULL).
NO_COURSE = CourseKeyField.Empty
# Namespace of the badge template UUIDs: uuid5 of this and a program course's identity is stable forever.
TEMPLATE_NAMESPACE = uuid.UUID("6f1f2a0e-3b8e-5d7c-9a4e-6d6963726f64")
# Attempts at a write that lost a lock race (a MySQL deadlock, a busy SQLite), when we own the transaction.
WRITE_ATTEMPTS = 4
# ...and at the work after commit, where many workers may contend for one issuer's status list.
AFTER_COMMIT_ATTEMPTS = 8


@dataclass(frozen=True)
class StoredState:
    """What the unlocked pre-check of an observation reads of a learner's course state."""

    best_percent: Decimal | None
    best_completion: Decimal | None
    first_passed_at: Any


_STATE_FIELDS = ("best_percent", "best_completion", "first_passed_at")
_Converters = tuple[tuple[int, Callable[..., Any], Any], ...]
_state_reads: dict[str, tuple[str, _Converters]] = {}


def _state_read(connection: Any) -> tuple[str, _Converters]:
    """
    The SQL of the state read on one database, with Django's own converters of each column (built once).

    The converters are flattened to (column index, converter, column), in Django's order for each column; a
    column without any is not listed. They are bound to the first connection's operations, which read only the
    settings (the time zone), the same for every connection to the database.
    """
    alias = connection.alias
    if alias not in _state_reads:
        quote = connection.ops.quote_name
        columns = [cast(Field, LearnerCourseState._meta.get_field(name)) for name in _STATE_FIELDS]
        user = cast(Field, LearnerCourseState._meta.get_field("user"))
        key = cast(Field, LearnerCourseState._meta.get_field("course_key"))
        sql = (f"SELECT {', '.join(quote(str(column.column)) for column in columns)} "
               f"FROM {quote(LearnerCourseState._meta.db_table)} WHERE {quote(str(user.column))} = %s AND "
               f"{quote(str(key.column))} = %s")
        converters = []
        for index, state_field in enumerate(columns):
            column = state_field.get_col(LearnerCourseState._meta.db_table)
            for convert in [*connection.ops.get_db_converters(column), *state_field.get_db_converters(connection)]:
                converters.append((index, convert, column))
        _state_reads[alias] = (sql, tuple(converters))
    return _state_reads[alias]


def read_state(user_id: int, course_key: str, connection: Any = None) -> StoredState | None:
    """
    The learner's stored best values in a course, or None: one indexed read on the (learner, course) key.

    The cheap path of every grade event: a fixed statement on the database's cursor (so Django's execute
    wrappers, query logging and error wrapping apply) with Django's own converters of the columns, without
    building a queryset, a model instance or compiling SQL (ADR 30). No lock is taken. ``connection`` is the
    state's database connection when the caller holds it.
    """
    if connection is None:
        connection = connections[LearnerCourseState.objects.db]
    sql, converters = _state_read(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, (user_id, course_key))
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        values = list(row)
        for index, convert, column in converters:
            values[index] = convert(values[index], column, connection)
        row = values
    return StoredState(*row)


def template_uuid(*, program_id: str, kind: str, course_key: str | None = None, rule: str = "") -> str:
    """The badge template UUID of a program course's award kind (and rule), or of a program's degree: stable."""
    if rule:
        name = f"{program_id}/{course_key or ''}/{kind}/{rule}"
    else:
        name = f"{program_id}/degree" if kind == DEGREE else f"{program_id}/{course_key}/{kind}"
    return str(uuid.uuid5(TEMPLATE_NAMESPACE, name))


def unretired_users() -> QuerySet[Any]:
    """Every user but the retired: the LMS keeps a retired learner's row, renamed with ``RETIRED_USERNAME_PREFIX``."""
    return get_user_model().objects.exclude(username__startswith=conf.retired_username_prefix())


def parse_course_key(value: CourseKey | str) -> CourseKey:
    """A course key from its text; ValueError (naming the value) when it is not one."""
    if isinstance(value, CourseKey):
        return value
    try:
        return CourseKey.from_string(str(value))
    except InvalidKeyError as exc:
        raise ValueError(f"{value!r} is not a valid course key") from exc


def course_info(course: ProgramCourse, defaults: tuple[Decimal, Decimal]) -> CourseInfo:
    """A program course, its thresholds resolved against the platform's (achievement, participation) defaults."""
    return CourseInfo(
        course_key=str(course.course_key),
        title=course.title,
        hours=course.hours,
        ects=course.ects,
        planned=course.planned,
        achievement_threshold=(
            defaults[0] if course.achievement_threshold is None else rules.to_share(course.achievement_threshold)
        ),
        participation_threshold=(
            defaults[1] if course.participation_threshold is None else rules.to_share(course.participation_threshold)
        ),
    )


def issuer_info(issuer: Issuer) -> IssuerInfo:
    """An issuer as the catalog shows it."""
    return IssuerInfo(id=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email, country=issuer.country)


def award_info(award: Award) -> AwardInfo:
    """An award as learners and the API see it (``award.program`` should be selected with it)."""
    return AwardInfo(
        id=str(award.uuid),
        kind=award.kind,
        program_id=award.program.slug,
        course_key=str(award.course_key) if award.course_key else None,
        issued_on=award.issued_at,
        value=award.evidence_value,
        threshold=award.evidence_threshold,
        event_type=award.evidence_event_type,
        event_time=award.evidence_event_time,
        revoked_on=award.revoked_at,
        revoked_reason=award.revoked_reason,
        private=award.private,
        rule=award.rule,
    )


def programs_with_courses() -> QuerySet[Program]:
    """Programs with their issuers (lead first) and courses (in order) prefetched: three queries in all."""
    return Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
    )


def program_infos(program_ids: Iterable[str] | None = None) -> list[ProgramInfo]:
    """Programs (all, or those with the given ids) with issuers and courses, in three queries whatever their number."""
    queryset = programs_with_courses().order_by("title", "slug")
    if program_ids is not None:
        queryset = queryset.filter(slug__in=list(program_ids))
    defaults = conf.default_thresholds()
    return [
        ProgramInfo(
            id=program.slug,
            title=program.title,
            description=program.description,
            issuers=tuple(issuer_info(link.issuer) for link in program.program_issuers.all()),
            courses=tuple(course_info(course, defaults) for course in program.courses.all()),
        )
        for program in queryset
    ]


def award_row(award_id: str | uuid.UUID, *related: str) -> Award:
    """
    The award with a public id, its program (and ``related``) selected.

    Raises:
        UnknownAward: if the id is malformed or no award has it.
    """
    try:
        key = award_id if isinstance(award_id, uuid.UUID) else uuid.UUID(str(award_id))
        return Award.objects.select_related("program", *related).get(uuid=key)
    except (ValueError, Award.DoesNotExist) as exc:
        raise UnknownAward(f"no award with id {award_id!r}") from exc


def with_retries(work: Callable[..., Any], *args: Any) -> Any:
    """
    Run ``work`` again when it lost a lock race (a MariaDB/MySQL deadlock), unless inside a transaction.

    For the work after commit: workers finishing one learner's program at once may deadlock while signing (an
    award's row lock against the issuer's status list and the foreign-key checks of the stored credentials) or
    inserting the degree; the database rolls one back, and a retry after a short random pause finds the work done
    or does it. Up to AFTER_COMMIT_ATTEMPTS tries, pausing 50 ms, 100 ms, 200 ms... (at most 1 s, with jitter).
    """
    for attempt in range(1, AFTER_COMMIT_ATTEMPTS + 1):
        try:
            return work(*args)
        except OperationalError:
            if attempt == AFTER_COMMIT_ATTEMPTS or transaction.get_connection().in_atomic_block:
                raise
            log.info("microdegree: lock conflict in %s%s, retrying (%s)", getattr(work, "__name__", work), args,
                     attempt)
            time.sleep(min(1.0, 0.05 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5))  # noqa: S311 - a pause
    return None


def insert_award(award: Award) -> bool:
    """Insert an award unless the database already holds it; True if this call created it."""
    try:
        with transaction.atomic():
            award.save(force_insert=True)
    except IntegrityError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# The catalog's course rules, remembered per process (docs/decisions/0030-programme-courses-per-process.rst).
#
# Most grade events are for courses in no program: they must cost no query. Each process keeps the program
# courses by course key; it re-reads them when the catalog's version in the shared cache (the LMS's memcached)
# has changed, and looks at that version at most every CATALOG_RECHECK_SECONDS. A change made in this process is
# seen at once; in another worker within those seconds (the backfill queued by a change covers events there).

CATALOG_VERSION_KEY = "microdegree.catalog.version"
CATALOG_RECHECK_SECONDS = 5.0
# Changes that bypass Django (raw SQL) send no signal: the memo is re-read from the database after this long anyway.
CATALOG_MAX_AGE_SECONDS = 300.0


@dataclass(frozen=True)
class ProgramCourseRow:
    """A program course as recording needs it: the program, the stored course key and its own thresholds."""

    program_pk: int
    program_id: str
    course_key: str
    planned: bool
    achievement_threshold: Decimal | None
    participation_threshold: Decimal | None
    parsed_key: CourseKey
    # The capstone of a programme whose capstone's record comes last (docs/decisions/0040).
    capstone_last: bool = False
    # The outside bodies' recognitions of this programme course: (pk, id, own threshold or None, has a condition).
    recognitions: tuple[tuple[int, str, Decimal | None, bool], ...] = ()
    # The last rule made and the defaults it was made for, as one tuple (replaced whole: safe across threads). The
    # defaults are settings, read at each event: a changed setting makes a new rule at once.
    _last_rule: list[tuple[tuple[Decimal, Decimal], CourseRule] | None] = field(
        default_factory=lambda: [None], compare=False, hash=False, repr=False)

    def rule(self, defaults: tuple[Decimal, Decimal]) -> CourseRule:
        """The rule input, thresholds resolved against the platform's (achievement, participation) defaults."""
        last = self._last_rule[0]
        if last is not None and last[0] == defaults:
            return last[1]
        made = CourseRule(
            course_key=self.course_key, planned=self.planned,
            achievement_threshold=(defaults[0] if self.achievement_threshold is None
                                   else rules.to_share(self.achievement_threshold)),
            participation_threshold=(defaults[1] if self.participation_threshold is None
                                     else rules.to_share(self.participation_threshold)),
        )
        self._last_rule[0] = (defaults, made)
        return made

    def recognition_rules(self, defaults: tuple[Decimal, Decimal]) -> tuple[RecognitionRule, ...]:
        """The recognitions' rules, a threshold left empty resolved to the course's achievement threshold."""
        if not self.recognitions:
            return ()
        achievement = self.rule(defaults).achievement_threshold
        return tuple(RecognitionRule(pk=pk, rule=slug, course_key=self.course_key,
                                     threshold=achievement if own is None else rules.to_share(own),
                                     needs_condition=needs)
                     for pk, slug, own, needs in self.recognitions)


class _CatalogMemo:
    """The program courses by course key as MySQL's collation and the catalog's checks compare it (no case, accents)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: object = None
        self.checked = float("-inf")
        self.loaded = float("-inf")
        self.by_key: dict[str, tuple[ProgramCourseRow, ...]] | None = None


_MEMO = _CatalogMemo()


def _load_program_courses() -> dict[str, tuple[ProgramCourseRow, ...]]:
    """
    The program courses by compared key, each with its recognitions, in one query.

    A row per course and recognition of its program; a recognition of some courses only is marked whether it
    names this one.
    """
    selected = Recognition.courses.through.objects.filter(recognition_id=OuterRef("program__recognitions__pk"),
                                                           programcourse_id=OuterRef("pk"))
    courses: dict[int, tuple[Any, ...]] = {}
    recognitions: dict[int, list[tuple[int, str, Decimal | None, bool]]] = defaultdict(list)
    for row in ProgramCourse.objects.annotate(selected=Exists(selected)).order_by(
            "pk", "program__recognitions__order", "program__recognitions__pk").values_list(
            "pk", "program_id", "program__slug", "course_key", "planned", "achievement_threshold",
            "participation_threshold", "capstone", "program__capstone_last", "program__recognitions__pk",
            "program__recognitions__slug", "program__recognitions__threshold", "program__recognitions__condition",
            "program__recognitions__all_courses", "program__recognitions__whole_program", "selected"):
        course_pk, *course, rec_pk, slug, threshold, condition, every, whole, chosen = row
        courses[course_pk] = tuple(course)
        if rec_pk is not None and not whole and (every or chosen):
            recognitions[course_pk].append((rec_pk, slug, threshold, bool(condition)))
    by_key: dict[str, list[ProgramCourseRow]] = defaultdict(list)
    for course_pk, (program_pk, program_id, key, planned, achievement, participation, capstone, last) in (
            courses.items()):
        assert key is not None  # a program course always has its key
        by_key[compared_course_key(str(key))].append(ProgramCourseRow(
            program_pk, program_id, str(key), planned, achievement, participation, parse_course_key(key),
            capstone_last=bool(capstone and last), recognitions=tuple(recognitions[course_pk])))
    return {key: tuple(rows) for key, rows in by_key.items()}


def program_course_rows(course_key: str) -> tuple[ProgramCourseRow, ...]:
    """The program courses with this course key (none for most courses); no query while the catalog is known."""
    now = time.monotonic()
    memo = _MEMO
    if memo.by_key is None or now - memo.checked >= CATALOG_RECHECK_SECONDS:
        with memo.lock:
            version = cache.get(CATALOG_VERSION_KEY)
            if version is None:
                cache.add(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)
                version = cache.get(CATALOG_VERSION_KEY)
            if memo.by_key is None or version != memo.version or now - memo.loaded >= CATALOG_MAX_AGE_SECONDS:
                memo.by_key, memo.version, memo.loaded = _load_program_courses(), version, now
            memo.checked = now
    assert memo.by_key is not None
    return memo.by_key.get(_compared(course_key), ())


# The compared form of the course keys seen, per process: a pure function of the key (bounded).
_compared = lru_cache(maxsize=4096)(compared_course_key)


def catalog_changed() -> None:
    """The catalog changed: this process forgets its program courses; every other one within seconds."""
    with _MEMO.lock:
        _MEMO.by_key = None
    cache.set(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)
