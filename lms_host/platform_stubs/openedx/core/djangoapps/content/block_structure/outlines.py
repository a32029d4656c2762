"""
Stand-in only, no such module in the platform (see lms_host/platform_stubs/README): the courses of the LMS stand-in.

The platform collects a course's block structure from the modulestore and records it with its version
(``BlockStructureModel``). Here a test publishes an outline (its blocks, with the fields the access rules read) and
a version instead; the stand-ins of ``get_course_in_cache``, ``get_course_blocks`` and ``BlockStructureModel`` read
it. Nothing is published outside the tests, so the stand-in LMS knows no course.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .block_structure import BlockStructureBlockData
from .exceptions import BlockStructureNotFound

CONTAINERS = ("course", "chapter", "sequential", "vertical")


@dataclass(frozen=True)
class Block:
    """One block: type, id, children's ids, and its visibility fields; containers are completion aggregators."""

    block_type: str
    block_id: str
    children: tuple[str, ...] = ()
    visible_to_staff_only: bool = False
    group_access: dict[int, list[int]] = field(default_factory=dict)  # user partition id -> group ids allowed
    start: datetime | None = None
    completion_mode: str | None = None

    def mode(self):
        """The block's completion mode, as the collected ``completion_mode`` field would hold it."""
        return self.completion_mode or ("aggregator" if self.block_type in CONTAINERS else None)


@dataclass
class Outline:
    """A published course: its blocks by id (the root is the ``course`` block ``course``) and its version."""

    blocks: dict[str, Block]
    version: str
    collected: bool


COURSES: dict[str, Outline] = {}
GROUPS: dict[tuple[int, str], dict[int, int]] = {}  # (user id, course key) -> {user partition id: group id}


def publish(course_key, blocks, *, version="v1", collected=True):
    """Publish a course (again: a new version); ``collected=False``: the LMS has not collected its structure yet."""
    COURSES[str(course_key)] = Outline({block.block_id: block for block in blocks}, version, collected)


def assign_group(user, course_key, partition_id, group_id):
    """Put a learner in a group of a user partition of the course (a cohort, an enrollment track...)."""
    GROUPS.setdefault((user.pk, str(course_key)), {})[partition_id] = group_id


def clear():
    """Forget every published course and group."""
    COURSES.clear()
    GROUPS.clear()


def build(course_key, keep=None):
    """The course's block structure, without the blocks (and their descendants) that ``keep(block)`` refuses."""
    outline = COURSES.get(str(course_key))
    root = course_key.make_usage_key("course", "course")
    if outline is None:
        raise BlockStructureNotFound(root)  # the platform: the modulestore's ItemNotFoundError
    children, fields, transformer_fields = {}, {}, {}
    pending = [(outline.blocks["course"], False)]
    while pending:
        block, under_staff_only = pending.pop()
        usage_key = course_key.make_usage_key(block.block_type, block.block_id)
        staff_only = under_staff_only or block.visible_to_staff_only
        fields[usage_key] = {"completion_mode": block.mode(), "visible_to_staff_only": block.visible_to_staff_only}
        transformer_fields[(usage_key, "visibility", "merged_visible_to_staff_only")] = staff_only
        kept = [outline.blocks[child] for child in block.children if keep is None or keep(outline.blocks[child])]
        children[usage_key] = [course_key.make_usage_key(child.block_type, child.block_id) for child in kept]
        pending.extend((child, staff_only) for child in kept)
    return BlockStructureBlockData(root, children, fields, transformer_fields)
