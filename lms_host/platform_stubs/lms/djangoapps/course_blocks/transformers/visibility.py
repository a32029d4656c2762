"""
Stand-in for the LMS's ``lms.djangoapps.course_blocks.transformers.visibility``.

See lms_host/platform_stubs/README.
"""


class VisibilityTransformer:
    """Only the name and the collected field of the LMS's transformer (staff-only, merged from the ancestors)."""

    MERGED_VISIBLE_TO_STAFF_ONLY = "merged_visible_to_staff_only"

    @classmethod
    def name(cls):
        """The name the transformer's collected data is kept under."""
        return "visibility"
