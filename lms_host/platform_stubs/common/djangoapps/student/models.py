"""Stand-in for the LMS student models. (see lms_host/platform_stubs/README)."""

class CourseEnrollment:
    """Not available outside the LMS."""
