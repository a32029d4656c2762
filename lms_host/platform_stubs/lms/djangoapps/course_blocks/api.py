"""
Stand-in for the LMS's course blocks API, ``lms.djangoapps.course_blocks.api`` (see lms_host/platform_stubs/README).

``get_course_blocks`` builds a learner's own block structure from the stand-in's published outlines
(``openedx.core.djangoapps.content.block_structure.outlines``), applying the rules of the LMS's default access
transformers that matter to what a learner can see, in the stand-in's terms: staff (``is_staff``) see every block;
other learners lose the blocks visible to staff only, those whose ``group_access`` names no group of theirs, and,
unless ``allow_start_dates_in_future``, those not started yet, each with its descendants.
"""
from datetime import UTC, datetime

from openedx.core.djangoapps.content.block_structure import outlines


def get_course_blocks(  # noqa: PLR0917 - the platform's signature
        user, starting_block_usage_key, transformers=None, collected_block_structure=None,
        allow_start_dates_in_future=False, include_completion=False, include_has_scheduled_content=False):
    """The blocks of the course that ``user`` can access (only the default transformers are stood in for)."""
    if transformers:
        raise NotImplementedError("the stand-in applies the LMS's default access transformers only")
    course_key = starting_block_usage_key.course_key
    groups = outlines.GROUPS.get((user.pk, str(course_key)), {})
    now = datetime.now(UTC)

    def keep(block):
        if user.is_staff:
            return True
        if block.visible_to_staff_only:
            return False
        if any(allowed and groups.get(partition) not in allowed for partition, allowed in block.group_access.items()):
            return False
        return allow_start_dates_in_future or block.start is None or block.start <= now

    return outlines.build(course_key, keep)
