"""Stand-in for the LMS grades app (see lms_host/platform_stubs/README): only its persistent course grades."""
from django.apps import AppConfig


class GradesConfig(AppConfig):
    """The LMS's ``grades`` app, with its label, so that its table has the LMS's name."""

    name = "lms.djangoapps.grades"
    label = "grades"
    default_auto_field = "django.db.models.BigAutoField"
