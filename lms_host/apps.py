"""The LMS stand-in's app: connects plugin receivers at start-up, as the LMS's plugins app does."""
from django.apps import AppConfig


class LmsHostConfig(AppConfig):
    """Connects every LMS plugin's signal receivers (edx-django-utils), like ``openedx.core.djangoapps.plugins``."""

    name = "lms_host"

    def ready(self) -> None:
        """Connect the receivers of every installed LMS plugin."""
        from edx_django_utils.plugins import connect_plugin_receivers  # pylint: disable=import-outside-toplevel

        connect_plugin_receivers("lms.djangoapp")

