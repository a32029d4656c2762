"""
The Django app, and its contract with the LMS and Studio plugin system (edx-django-utils).
"""
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "production": {"relative_path": "settings.production"},
    "devstack": {"relative_path": "settings.devstack"},
    "test": {"relative_path": "settings.test"},
}

_GRADE_RECEIVERS = [
    {
        "receiver_func_name": "grade_summary_changed",
        "signal_path": "openedx_events.learning.signals.PERSISTENT_GRADE_SUMMARY_CHANGED",
        "dispatch_uid": "microdegree_xblock.handlers.grade_summary_changed",
    },
    {
        "receiver_func_name": "course_passing_status_updated",
        "signal_path": "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED",
        "dispatch_uid": "microdegree_xblock.handlers.course_passing_status_updated",
    },
    {
        "receiver_func_name": "course_passing_status_updated",
        "signal_path": "openedx_events.learning.signals.CCX_COURSE_PASSING_STATUS_UPDATED",
        "dispatch_uid": "microdegree_xblock.handlers.ccx_course_passing_status_updated",
    },
]


class MicrodegreeConfig(AppConfig):
    """The micro-degree plugin app."""

    name = "microdegree_xblock"
    label = "microdegree"
    verbose_name = _("Micro-degrees")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "microdegree",
                "regex": r"^microdegree/",
                "relative_path": "urls",
            },
        },
        "settings_config": {
            "lms.djangoapp": _SETTINGS,
            "cms.djangoapp": _SETTINGS,
        },
        "signals_config": {
            "lms.djangoapp": {
                "relative_path": "handlers",
                "receivers": _GRADE_RECEIVERS,
            },
        },
    }

    def ready(self) -> None:
        """Register the checks; connect the receivers of optional senders (completion, retirement) and of models."""
        # pylint: disable=import-outside-toplevel
        from django.contrib.auth import get_user_model
        from django.core import checks
        from django.db.models.signals import post_save, pre_delete

        from . import api, compat, conf, handlers

        checks.register(conf.check_settings)
        checks.register(check_stored_catalog, checks.Tags.database)
        api.connect_catalog_signals()

        completion = compat.get_block_completion_model()
        if completion is not None:
            post_save.connect(handlers.block_completion_saved, sender=completion,
                              dispatch_uid="microdegree_xblock.handlers.block_completion_saved")
        compat.get_retirement_signal().connect(handlers.user_retired,
                                               dispatch_uid="microdegree_xblock.handlers.user_retired")
        pre_delete.connect(handlers.user_deleted, sender=get_user_model(),
                           dispatch_uid="microdegree_xblock.handlers.user_deleted")


def check_stored_catalog(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    """
    ``microdegree.W002``: the stored catalog has a problem a program file would be refused for (each one named).

    A database check (``manage.py check --database default``; ``migrate`` runs it too): the catalog is read from
    the database, which is not there before the first migration.
    """
    # pylint: disable=import-outside-toplevel,unused-argument
    from django.core import checks
    from django.db import DatabaseError

    from . import api

    if not databases:
        return []
    try:
        problems = api.catalog_problems()
    except DatabaseError:  # not migrated yet
        return []
    return [checks.Warning(f"stored catalog: {problem}", id="microdegree.W002",
                           hint="Correct it in the Django admin or load a corrected program file.")
            for problem in problems]
