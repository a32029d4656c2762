"""
Stand-in for the platform's ``openedx.core.djangoapps.content.block_structure.api``.

Only ``get_course_in_cache``, a course's collected block structure (every block); see lms_host/platform_stubs/README.
"""
from . import outlines


def get_course_in_cache(course_key):
    """The collected structure of the published course, with the visibility transformer's collected field."""
    return outlines.build(course_key)
