"""
The awards due from a backfill window's new learner course states (docs/decisions/0041).

Where thresholds alone decide (``rules.programs.threshold_slots``), the database inserts them with one
``INSERT ... SELECT``, their UUIDs and salts its own; the rest (a capstone taken last, a recognition with a recorded
condition) are decided in Python by the event path's :func:`~microdegree_xblock.api.awarding.due_awards`.
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import CharField, ExpressionWrapper, F, Q
from opaque_keys.edx.keys import CourseKey

from .. import conf
from ..data import NewAward, slot
from ..models import Award, LearnerCourseState
from ..rules.programs import ThresholdSlot, lowest_thresholds, threshold_slots
from ._internal import ProgramCourseRow, program_course_rows
from .awarding import due_awards
from .backfill_rows import BackfillReport, passed_conditions_of, ready_for
from .bulk import RandomSalt, RandomUuid, insert_rows

__all__ = ["award_new_states", "learners_of"]

log = logging.getLogger(__name__)

# A share stored with more places than the state keeps reads back rounded: the candidates' floor allows for it.
ROUNDING = Decimal("0.000001")


def learners_of(window: dict[str, Any]) -> Q:
    """The window's learners, on the plugin's tables."""
    if "user_ids" in window:
        return Q(user_id__in=window["user_ids"])
    return Q(user_id__gt=window["low"], user_id__lte=window["high"])


def award_new_states(courses: Sequence[CourseKey], window: dict[str, Any], *, now: datetime,
                     skip: set[tuple[int, str]], report: BackfillReport) -> list[int]:
    """
    The awards due from the states just inserted: by the database where thresholds alone decide, else in Python.

    Their primary keys: every award of the window issued at ``now``.
    """
    defaults = conf.default_thresholds()
    by_python: dict[str, tuple[ProgramCourseRow, ...]] = {}
    slots: list[tuple[str, ProgramCourseRow, ThresholdSlot]] = []
    for key in courses:
        left = []
        for row in program_course_rows(str(key)):
            decided = (None if row.capstone_last
                       else threshold_slots(row.rule(defaults), row.recognition_rules(defaults)))
            if decided is None:
                left.append(row)
            else:
                slots += [(str(key), row, one) for one in decided]
        if left:
            by_python[str(key)] = tuple(left)
    if slots:
        _insert_threshold_awards(slots, window, now=now)
    if by_python:
        _award_in_python(by_python, window, now=now, skip=skip)
    slugs = {row.program_pk: row.program_id for key in courses for row in program_course_rows(str(key))}
    issued = list(Award.objects.filter(learners_of(window), issued_at=now).order_by().values_list(
        "pk", "program_id", "kind"))
    # (An award of another programme issued in the same microsecond, by an event, is counted by its pk.)
    counts = Counter((slugs.get(program_pk, str(program_pk)), kind) for _pk, program_pk, kind in issued)
    report.awards.update(counts)
    if counts:
        # One line per batch (the event path logs one per award): the awards themselves are the record.
        log.info("microdegree: backfill issued %s", ", ".join(
            f"{count} {kind} in program {program}" for (program, kind), count in sorted(counts.items())))
    return [pk for pk, _program_pk, _kind in issued]


def _insert_threshold_awards(slots: Sequence[tuple[str, ProgramCourseRow, ThresholdSlot]], window: dict[str, Any],
                             *, now: datetime) -> int:
    """
    One statement: the awards of every slot (``rules.programs.threshold_slots``) due from the window's new states.

    The slots are a table of the statement's own (``UNION ALL`` of one row each): a state earns a slot's award when
    the slot's measure meets its threshold and the learner holds no award of that slot (of any issue).
    """
    alias = router.db_for_write(Award)
    connection = connections[alias]
    quote = connection.ops.quote_name
    compiler = Award.objects.none().query.get_compiler(using=alias)
    key_field = Award._meta.get_field("course_key")
    threshold_field = Award._meta.get_field("evidence_threshold")
    params: list[Any] = []
    table = []
    for state_key, row, one in slots:
        table.append(f"SELECT %s AS state_key, {int(row.program_pk)} AS program_id, %s AS award_key, %s AS kind, "
                     f"%s AS rule, %s AS measure, CAST(%s AS DECIMAL(5, 4)) AS threshold")
        params += [state_key, key_field.get_db_prep_save(row.parsed_key, connection), one.kind, one.rule,
                   one.measure, threshold_field.get_db_prep_save(one.threshold, connection)]

    def measured(suffix: str) -> str:
        return (f"CASE WHEN t.measure = 'best_completion' THEN s.{quote('best_completion' + suffix)} "
                f"ELSE s.{quote('best_percent' + suffix)} END")

    at = Award._meta.get_field("issued_at").get_db_prep_save(now, connection)
    made = {"uuid": compiler.compile(RandomUuid()), "recipient_salt": compiler.compile(RandomSalt()),
            "user": ("s.user_id", ()), "program": ("t.program_id", ()), "course_key": ("t.award_key", ()),
            "kind": ("t.kind", ()), "rule": ("t.rule", ()), "issued_at": ("%s", (at,)),
            "evidence_value": (measured(""), ()), "evidence_threshold": ("t.threshold", ()),
            "evidence_event_type": (measured("_event"), ()), "evidence_event_time": (measured("_at"), ())}
    columns, values, value_params = [], [], []
    for field in Award._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(str(field.column)))
        if field.name in made:
            sql, given = made[field.name]
        elif field.has_default() and callable(field.default):
            raise ImproperlyConfigured(f"the backfill cannot make {field.name} in the database: give it above")
        else:
            sql, given = "%s", (field.get_db_prep_save(field.get_default(), connection),)
        values.append(sql)
        value_params += list(given)
    if "user_ids" in window:
        learners = f"s.user_id IN ({', '.join(['%s'] * len(window['user_ids']))})"
        learner_params = list(window["user_ids"])
    else:
        learners, learner_params = "s.user_id > %s AND s.user_id <= %s", [window["low"], window["high"]]
    state_at = LearnerCourseState._meta.get_field("modified").get_db_prep_save(now, connection)
    sql = (
        f"INSERT INTO {quote(Award._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {'STRAIGHT_JOIN ' if connection.vendor == 'mysql' else ''}{', '.join(values)} "
        f"FROM {quote(LearnerCourseState._meta.db_table)} s "
        # The window's states read once, each looking its slots up (by an index the database makes): SQLite keeps
        # the order of a CROSS JOIN, MySQL and MariaDB of a STRAIGHT_JOIN; PostgreSQL's planner finds it.
        f"CROSS JOIN ({' UNION ALL '.join(table)}) t "
        f"WHERE s.course_key = t.state_key AND {learners} AND s.modified = %s AND {measured('')} >= t.threshold "
        f"AND NOT EXISTS ("
        f"SELECT 1 FROM {quote(Award._meta.db_table)} a WHERE a.user_id = s.user_id AND a.program_id = t.program_id "
        f"AND a.course_key = t.award_key AND a.kind = t.kind AND a.{quote('rule')} = t.rule)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*value_params, *params, *learner_params, state_at])
        return max(0, int(cursor.rowcount))


def _award_in_python(rows_of: Mapping[str, tuple[ProgramCourseRow, ...]], window: dict[str, Any], *,
                     now: datetime, skip: set[tuple[int, str]]) -> None:
    """Decide in Python the awards of the programme courses thresholds alone do not decide, from the new states."""
    defaults = conf.default_thresholds()
    grades, completions = lowest_thresholds((row.rule(defaults), row.recognition_rules(defaults))
                                            for rows in rows_of.values() for row in rows)
    can_earn = Q()
    if grades is not None:
        can_earn |= Q(best_percent__gte=grades - ROUNDING)
    if completions is not None:
        can_earn |= Q(best_completion__gte=completions - ROUNDING)
    if not can_earn:
        return
    key_text = ExpressionWrapper(F("course_key"), output_field=CharField())
    states = [SimpleNamespace(user_id=user_id, course_key=key, best_percent=percent, best_percent_at=percent_at,
                              best_percent_event=percent_event, best_completion=done, best_completion_at=done_at,
                              best_completion_event=done_event)
              for user_id, key, percent, percent_at, percent_event, done, done_at, done_event
              in LearnerCourseState.objects.filter(learners_of(window), can_earn, modified=now,
                                                   course_key__in=list(rows_of)).values_list(
                  "user_id", key_text, "best_percent", "best_percent_at", "best_percent_event", "best_completion",
                  "best_completion_at", "best_completion_event")
              if (user_id, key) not in skip and key in rows_of]
    if not states:
        return
    users = {state.user_id for state in states}
    held: dict[tuple[int, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for user_id, award_key, program_pk, kind, rule in Award.objects.filter(
            learners_of(window), course_key__in=list(rows_of)).values_list(
            "user_id", key_text, "program_id", "kind", "rule"):
        held[(user_id, award_key)][program_pk].add(slot(kind, rule))
    parsed = {key: CourseKey.from_string(key) for key in {state.course_key for state in states}}
    conditions = passed_conditions_of(users, parsed, {key: rows_of[key] for key in parsed})
    awards: list[NewAward] = []
    for state in states:
        awards += due_awards(state, rows_of[state.course_key], held[(state.user_id, state.course_key)],
                             issued_at=now, conditions=conditions.get((state.user_id, state.course_key), frozenset()),
                             ready=ready_for(state.user_id))
    insert_rows(Award, awards)
