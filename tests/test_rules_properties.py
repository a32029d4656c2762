"""
Properties of the pure rules of recognitions, electives and nested programmes (docs/decisions/0040).

Over random catalogs and random learners (hypothesis):

* a degree is due exactly when its requirement tree holds (checked against a reference that tries every choice);
* the order of events does not change the final awards;
* an award is never taken away: more grades, more recorded conditions, give a superset of the awards;
* raising a threshold afterwards takes nothing back;
* the catalog's window and impossibility checks agree with the reference;
* the rules as data (``threshold_slots``, ``lowest_thresholds``, which the backfill's database applies) decide as
  the rules do.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from microdegree_xblock.data import (
    ACHIEVEMENT,
    DEGREE,
    PARTICIPATION,
    RECOGNITION,
    CourseRule,
    LearnerState,
    RecognitionRule,
    slot,
)
from microdegree_xblock.rules import due_course_awards, to_share
from microdegree_xblock.rules.programs import (
    ProgramRule,
    due_recognitions,
    lowest_thresholds,
    program_awards_due,
    threshold_slots,
)
from microdegree_xblock.rules.tree import AllOf, AnyOf, Course, Degree, holds, hours_window, impossible

SHARES = st.sampled_from([Decimal(x) / 100 for x in (0, 30, 49, 50, 59, 60, 65, 69, 70, 75, 85, 100)])
THRESHOLDS = st.sampled_from([Decimal("0.5"), Decimal("0.6"), Decimal("0.7"), Decimal("0.8")])
RUNS = settings(max_examples=400, deadline=None)


def reference_holds(node, achieved, degrees) -> bool:
    """The tree holds: every item of an AllOf; some ``choose`` of an AnyOf's items, tried one choice at a time."""
    if isinstance(node, Course):
        return not node.planned and node.key in achieved
    if isinstance(node, Degree):
        return node.program_id in degrees
    if isinstance(node, AnyOf):
        return node.choose >= 1 and any(all(reference_holds(item, achieved, degrees) for item in chosen)
                                        for chosen in itertools.combinations(node.items, node.choose))
    return bool(node.items) and all(reference_holds(item, achieved, degrees) for item in node.items)


@st.composite
def catalogs(draw):
    """One to three programmes; a later one may nest an earlier one (no cycles); courses may be shared."""
    pool = [f"course-v1:O+C{n}+1" for n in range(8)]
    programs = {}
    for index in range(draw(st.integers(1, 3))):
        program_id = f"p{index}"
        keys = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique=True))
        split = draw(st.integers(0, len(keys)))
        required, elective = keys[:split], keys[split:]
        courses = tuple(CourseRule(course_key=key, planned=draw(st.booleans()) and draw(st.booleans()),
                                   achievement_threshold=draw(THRESHOLDS),
                                   participation_threshold=Decimal("0.5")) for key in keys)
        planned = {c.course_key for c in courses if c.planned}
        items = [Course(key, Decimal(10), key in planned) for key in required]
        if elective:
            items.append(AnyOf("g", draw(st.integers(1, len(elective))),
                               tuple(Course(key, Decimal(10), key in planned) for key in elective)))
        nested = draw(st.lists(st.sampled_from(sorted(programs)), unique=True, max_size=2)) if programs else []
        items += [Degree(p) for p in nested]
        capstone = draw(st.sampled_from(required)) if required and draw(st.booleans()) else ""
        recognitions = []
        for n, key in enumerate(keys):
            if draw(st.booleans()):
                recognitions.append(RecognitionRule(pk=index * 100 + n, rule=f"r{n}", course_key=key,
                                                    threshold=draw(THRESHOLDS), needs_condition=draw(st.booleans())))
        if draw(st.booleans()):
            recognitions.append(RecognitionRule(pk=index * 100 + 99, rule="whole", course_key="",
                                                threshold=draw(st.none() | THRESHOLDS),
                                                needs_condition=draw(st.booleans())))
        programs[program_id] = ProgramRule(id=program_id, courses=courses, tree=AllOf(program_id, tuple(items)),
                                           capstone=capstone, recognitions=tuple(recognitions))
    return programs


@st.composite
def learners(draw, programs):
    """A learner's events: (course key, grade) in some order, and the conditions recorded as passed."""
    keys = sorted({c.course_key for p in programs.values() for c in p.courses})
    events = draw(st.lists(st.tuples(st.sampled_from(keys), SHARES), max_size=12))
    every = sorted({(r.pk, r.course_key) for p in programs.values() for r in p.recognitions if r.needs_condition})
    conditions = set(draw(st.lists(st.sampled_from(every), unique=True))) if every else set()
    return events, conditions


def settle(programs, states, conditions, held=None):
    """Apply the rules until nothing more is due (a degree may make an outer programme's due): every award held."""
    held = {pid: set(h) for pid, h in (held or {}).items()}
    for pid in programs:
        held.setdefault(pid, set())
    while True:
        degrees = {pid for pid, h in held.items() if ("", DEGREE) in h}
        new = [(pid, (place, due.slot)) for pid, program in programs.items()
               for place, due in program_awards_due(program, states, held[pid], conditions=conditions,
                                                    degrees=degrees)]
        if not new:
            return held
        for pid, award in new:
            held[pid].add(award)


def observe(states, key, percent):
    """Best seen: a grade only ever raises the state."""
    old = states.get(key, LearnerState())
    best = percent if old.best_percent is None or percent > old.best_percent else old.best_percent
    return {**states, key: LearnerState(best_percent=best, best_completion=best)}


def play(programs, events, conditions):
    states, held = {}, {}
    for key, percent in events:
        states = observe(states, key, percent)
        held = settle(programs, states, conditions, held)
    return states, settle(programs, states, conditions, held)


@RUNS
@given(st.data())
def test_a_degree_is_due_exactly_when_its_tree_holds(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    _states, held = play(programs, events, conditions)
    degrees = {pid for pid, h in held.items() if ("", DEGREE) in h}
    for pid, program in programs.items():
        achieved = {place for place, award in held[pid] if award == ACHIEVEMENT}
        assert (pid in degrees) == reference_holds(program.tree, achieved, degrees)
        assert holds(program.tree, achieved, degrees) == reference_holds(program.tree, achieved, degrees)


@RUNS
@given(st.data())
def test_the_order_of_events_does_not_change_the_final_awards(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    shuffled = data.draw(st.permutations(events))
    states, held = play(programs, events, conditions)
    _states, held_shuffled = play(programs, shuffled, conditions)
    assert held == held_shuffled
    assert held == settle(programs, states, conditions)  # and equal to deciding once from the final state


@RUNS
@given(st.data())
def test_an_award_is_never_taken_away(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    more_events, more_conditions = data.draw(learners(programs))
    _states, before = play(programs, events, conditions)
    _states, after = play(programs, events + more_events, conditions | more_conditions)
    for pid in programs:
        assert before[pid] <= after[pid]


@RUNS
@given(st.data())
def test_raising_a_threshold_takes_nothing_back(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    states, held = play(programs, events, conditions)
    raised = {pid: replace(p, courses=tuple(replace(c, achievement_threshold=Decimal(1)) for c in p.courses),
                           recognitions=tuple(replace(r, threshold=Decimal(1)) for r in p.recognitions))
              for pid, p in programs.items()}
    later = settle(raised, states, conditions, held)
    assert all(held[pid] <= later[pid] for pid in programs)


@RUNS
@given(st.data())
def test_a_capstone_taken_last_is_never_earned_before_the_rest(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    _states, held = play(programs, events, conditions)
    degrees = {pid for pid, h in held.items() if ("", DEGREE) in h}
    for pid, program in programs.items():
        if program.capstone and (program.capstone, ACHIEVEMENT) in held[pid]:
            achieved = {place for place, award in held[pid] if award == ACHIEVEMENT}
            assert reference_holds(program.tree, achieved, degrees)  # the capstone's record came with the rest


@RUNS
@given(st.data())
def test_a_recognition_needs_its_threshold_and_its_condition(data):
    programs = data.draw(catalogs())
    events, conditions = data.draw(learners(programs))
    states, held = play(programs, events, conditions)
    for pid, program in programs.items():
        for rec in program.recognitions:
            if not rec.course_key:
                continue
            earned = (rec.course_key, f"recognition:{rec.rule}") in held[pid]
            course = next(c for c in program.courses if c.course_key == rec.course_key)
            best = states.get(rec.course_key, LearnerState()).best_percent
            expected = (not course.planned and best is not None and best >= rec.threshold
                        and (not rec.needs_condition or (rec.pk, rec.course_key) in conditions))
            assert earned == expected


@st.composite
def trees(draw):
    items = [Course(f"c{n}", Decimal(draw(st.integers(1, 60)))) for n in range(draw(st.integers(0, 4)))]
    for g in range(draw(st.integers(0, 2))):
        members = tuple(Course(f"g{g}c{n}", Decimal(draw(st.integers(1, 60)))) for n in range(draw(st.integers(0, 4))))
        items.append(AnyOf(f"g{g}", draw(st.integers(0, 5)), members))
    return AllOf("p", tuple(items))


@RUNS
@given(trees())
def test_the_hours_window_is_the_smallest_and_largest_valid_path(tree):
    if impossible(tree):
        assert any(isinstance(i, AnyOf) and not 1 <= i.choose <= len(i.items) for i in tree.items)
        return
    keys = [c.key for c in tree.items if isinstance(c, Course)] + [
        c.key for g in tree.items if isinstance(g, AnyOf) for c in g.items]
    hours = {c.key: c.hours for c in tree.items if isinstance(c, Course)}
    hours |= {c.key: c.hours for g in tree.items if isinstance(g, AnyOf) for c in g.items}
    valid = [sum((hours[k] for k in chosen), Decimal(0)) for r in range(len(keys) + 1)
             for chosen in itertools.combinations(keys, r)
             if reference_holds(tree, set(chosen), set()) and not any(
                 reference_holds(tree, set(chosen) - {k}, set()) for k in chosen)]
    if not tree.items:
        return
    assert hours_window(tree) == (min(valid), max(valid))


@st.composite
def course_rules(draw):
    """A course's rule, its recognitions (some with a recorded condition), a learner's state and what they hold."""
    key = "course-v1:O+C1+1"
    course = CourseRule(course_key=key, planned=draw(st.booleans()) and draw(st.booleans()),
                        achievement_threshold=draw(THRESHOLDS), participation_threshold=draw(THRESHOLDS))
    recognitions = tuple(RecognitionRule(pk=n, rule=f"r{n}", course_key=draw(st.sampled_from([key, ""])),
                                         threshold=draw(st.none() | THRESHOLDS),
                                         needs_condition=draw(st.booleans()) and draw(st.booleans()))
                         for n in range(draw(st.integers(0, 3))))
    state = LearnerState(best_percent=draw(st.none() | SHARES), best_completion=draw(st.none() | SHARES))
    slots = [PARTICIPATION, ACHIEVEMENT] + [slot(RECOGNITION, rec.rule) for rec in recognitions]
    held = set(draw(st.lists(st.sampled_from(slots), unique=True)))
    return course, recognitions, state, held


@RUNS
@given(course_rules())
def test_the_threshold_slots_decide_exactly_as_the_rules(case):
    """What a database applies (``threshold_slots``) issues what the rules issue, where no condition is needed."""
    course, recognitions, state, held = case
    slots = threshold_slots(course, recognitions)
    if slots is None:
        assert any(rec.needs_condition and rec.course_key and rec.threshold is not None for rec in recognitions)
        return
    rules_say = {(due.kind, due.rule, due.value, due.threshold)
                 for due in due_course_awards(course, state, held) + (
                     [] if course.planned else due_recognitions(recognitions, state, held=held, conditions=set()))}
    by_slots = {(s.kind, s.rule, to_share(getattr(state, s.measure)), s.threshold) for s in slots
                if slot(s.kind, s.rule) not in held and getattr(state, s.measure) is not None
                and getattr(state, s.measure) >= s.threshold}
    assert by_slots == rules_say


@RUNS
@given(course_rules())
def test_below_the_lowest_thresholds_nothing_is_due(case):
    """A state below both of ``lowest_thresholds`` earns nothing, whatever it holds and whatever was recorded."""
    course, recognitions, state, _held = case
    grade, completion = lowest_thresholds([(course, recognitions)])
    below = ((state.best_percent is None or grade is None or state.best_percent < grade)
             and (state.best_completion is None or completion is None or state.best_completion < completion))
    if not below:
        return
    every = {(rec.pk, rec.course_key) for rec in recognitions}
    assert due_course_awards(course, state) == []
    assert course.planned or due_recognitions(recognitions, state, held=set(), conditions=every) == []
