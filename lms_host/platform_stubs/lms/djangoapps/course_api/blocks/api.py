"""Stand-in for the LMS course blocks API. (see lms_host/platform_stubs/README)."""

def get_blocks(*args, **kwargs):
    """Not available outside the LMS."""
    raise NotImplementedError("the LMS stand-in has no course blocks")
