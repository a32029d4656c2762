"""
A programme's requirement tree, and what can be said about it without a database.

Whether it holds for a learner, the hours on its smallest and largest valid path, the groups that can never be
met, cycles of nested programmes.

A programme requires all of its parts (:class:`AllOf`): its required courses, each elective group (:class:`AnyOf`,
"k of n"), each programme whose micro-degree is a step (:class:`Degree`). Pure functions over plain data.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["AllOf", "AnyOf", "Course", "Degree", "Node", "find_cycle", "holds", "hours_window", "impossible",
           "path_courses"]


@dataclass(frozen=True)
class Course:
    """A course whose achievement record is required (a planned course is listed, and cannot be earned yet)."""

    key: str
    hours: Decimal = Decimal(0)
    planned: bool = False


@dataclass(frozen=True)
class Degree:
    """Another programme's micro-degree, required as a step."""

    program_id: str


@dataclass(frozen=True)
class AnyOf:
    """An elective group: ``choose`` of its items."""

    id: str
    choose: int
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    """Every item: a programme's whole requirement."""

    id: str
    items: tuple[Node, ...]


Node = Course | Degree | AnyOf | AllOf
# The inner programmes' trees, by programme id, for the windows of a nesting programme.
Trees = Mapping[str, "AllOf"]


def holds(node: Node, achieved: Iterable[str] | set[str], degrees: Iterable[str] | set[str]) -> bool:
    """
    Whether a requirement holds for a learner.

    ``achieved`` are the course keys with a valid achievement record in this programme, ``degrees`` the
    programme ids whose micro-degree the learner holds.

    An empty :class:`AllOf` holds nothing: a programme without requirements has no degree to earn.
    """
    achieved = achieved if isinstance(achieved, (set, frozenset)) else set(achieved)
    degrees = degrees if isinstance(degrees, (set, frozenset)) else set(degrees)
    return _holds(node, achieved, degrees)


def _holds(node: Node, achieved: set[str] | frozenset[str], degrees: set[str] | frozenset[str]) -> bool:
    if isinstance(node, Course):
        return not node.planned and node.key in achieved
    if isinstance(node, Degree):
        return node.program_id in degrees
    if isinstance(node, AnyOf):
        return node.choose >= 1 and sum(_holds(item, achieved, degrees) for item in node.items) >= node.choose
    return bool(node.items) and all(_holds(item, achieved, degrees) for item in node.items)



def hours_window(node: Node, trees: Trees | None = None) -> tuple[Decimal, Decimal]:
    """
    The hours of the smallest and of the largest valid path through a requirement (nested programmes included).

    An elective group counts its ``choose`` smallest (largest) items. A nested programme not in ``trees``, or one
    met again down a cycle, counts nothing.
    """
    return _window(node, trees or {}, lambda course: course.hours, frozenset())


def path_courses(node: Node, trees: Trees | None = None) -> tuple[int, int]:
    """The number of courses on the smallest and on the largest valid path (nested programmes included)."""
    low, high = _window(node, trees or {}, lambda course: Decimal(1), frozenset())
    return int(low), int(high)


def _window(node: Node, trees: Trees, weight: Callable[[Course], Decimal],
            seen: frozenset[str]) -> tuple[Decimal, Decimal]:
    if isinstance(node, Course):
        return weight(node), weight(node)
    if isinstance(node, Degree):
        inner = trees.get(node.program_id)
        if inner is None or node.program_id in seen:
            return Decimal(0), Decimal(0)
        return _window(inner, trees, weight, seen | {node.program_id})
    windows = [_window(item, trees, weight, seen) for item in node.items]
    if isinstance(node, AnyOf):
        take = max(0, min(node.choose, len(windows)))
        lows = sorted(low for low, _high in windows)[:take]
        highs = sorted((high for _low, high in windows), reverse=True)[:take]
        return sum(lows, Decimal(0)), sum(highs, Decimal(0))
    return sum((low for low, _high in windows), Decimal(0)), sum((high for _low, high in windows), Decimal(0))


def impossible(node: Node, where: str = "") -> list[str]:
    """
    The places of the groups that can never be met, each with why: choosing fewer than one, or more than listed.

    A place is named as a catalog file names it: ``electives[specialisation]``.
    """
    problems: list[str] = []
    if isinstance(node, AnyOf):
        place = f"{where}electives[{node.id}]"
        if node.choose < 1:
            problems.append(f"{place}: must choose at least 1 course, it says {node.choose}")
        elif node.choose > len(node.items):
            problems.append(f"{place}: can never be met: it asks for {node.choose} of {len(node.items)} "
                            f"course{'s' if len(node.items) != 1 else ''}")
    if isinstance(node, (AnyOf, AllOf)):
        for item in node.items:
            problems += impossible(item, where)
    return problems


def find_cycle(steps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """
    A cycle of programmes requiring each other, as the path that closes it (``a -> b -> a``), or None.

    ``steps`` maps each programme to the programmes it requires. Programmes are visited in a stable order, so
    the same catalog always names the same path.
    """
    graph = {program: list(required) for program, required in steps.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(graph.get(start, ()))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return None
