"""Management commands of the LMS stand-in."""
