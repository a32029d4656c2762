"""
The plugin's contract with the LMS and Studio, as the LMS stand-in (``lms_host``) loads it.

Entry points, edx-django-utils plugin discovery, URLs, settings and signal receivers.
"""
from __future__ import annotations

import sys
import types
from importlib.metadata import entry_points

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from edx_django_utils.plugins import add_plugins, connect_plugin_receivers, get_plugin_apps
from openedx_events.learning.signals import (
    CCX_COURSE_PASSING_STATUS_UPDATED,
    COURSE_PASSING_STATUS_UPDATED,
    PERSISTENT_GRADE_SUMMARY_CHANGED,
)

from microdegree_xblock import handlers
from microdegree_xblock.apps import MicrodegreeConfig
from microdegree_xblock.block import MicrodegreeXBlock
from microdegree_xblock.models import Award, LearnerCourseState
from microdegree_xblock.settings import common, devstack, production
from microdegree_xblock.settings import test as test_settings

from .conftest import VET, send_grade

APP_CONFIG_PATH = "microdegree_xblock.apps.MicrodegreeConfig"
RECEIVERS = [
    (PERSISTENT_GRADE_SUMMARY_CHANGED, "microdegree_xblock.handlers.grade_summary_changed",
     handlers.grade_summary_changed),
    (COURSE_PASSING_STATUS_UPDATED, "microdegree_xblock.handlers.course_passing_status_updated",
     handlers.course_passing_status_updated),
    (CCX_COURSE_PASSING_STATUS_UPDATED, "microdegree_xblock.handlers.ccx_course_passing_status_updated",
     handlers.course_passing_status_updated),
]


def _entry_point(group: str, name: str):
    found = [ep for ep in entry_points(group=group) if ep.name == name]
    assert len(found) == 1, f"{group}: {name} is registered {len(found)} times"
    return found[0]


@pytest.mark.parametrize("group, target", [
    ("xblock.v1", MicrodegreeXBlock),
    ("lms.djangoapp", MicrodegreeConfig),
    ("cms.djangoapp", MicrodegreeConfig),
])
def test_entry_points_resolve(group, target):
    entry_point = _entry_point(group, "microdegree")
    assert entry_point.load() is target
    assert entry_point.dist.name.replace("_", "-") == "microdegree-xblock"


def test_xblock_loads_by_its_type_name():
    from xblock.core import XBlock  # pylint: disable=import-outside-toplevel

    assert XBlock.load_class("microdegree") is MicrodegreeXBlock


@pytest.mark.parametrize("project", ["lms.djangoapp", "cms.djangoapp"])
def test_plugin_discovery_finds_the_app(project):
    assert APP_CONFIG_PATH in get_plugin_apps(project)


def test_the_host_installed_the_app_through_plugin_discovery():
    assert APP_CONFIG_PATH in settings.INSTALLED_APPS  # added by get_plugin_apps, not listed by hand
    config = apps.get_app_config("microdegree")
    assert isinstance(config, MicrodegreeConfig) and config.name == "microdegree_xblock"


def test_url_namespace_is_microdegree_under_slash_microdegree():
    assert reverse("microdegree:api-progress") == "/microdegree/api/v1/progress/"
    assert reverse("microdegree:api-programs") == "/microdegree/api/v1/programs/"


@pytest.mark.django_db
def test_plugin_urls_answer(client):
    assert client.get("/microdegree/api/v1/programs/").status_code == 200
    assert client.get("/microdegree/api/v1/nothing/").status_code == 404


def test_plugin_settings_were_applied_by_add_plugins():
    # lms_host/settings.py and tests/settings.py set none of these themselves.
    assert settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD == "0.60"
    assert settings.MICRODEGREE_PARTICIPATION_THRESHOLD == "0.50"
    assert settings.MICRODEGREE_ASYNC_TASKS is False  # the "test" settings make the after-award work eager
    assert settings.MICRODEGREE_COMPLETABLE_BLOCKS is not None


@pytest.fixture
def settings_module(monkeypatch):
    """A fresh, empty settings module that add_plugins can import by name."""
    module = types.ModuleType("tests.probe_settings")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


@pytest.mark.parametrize("project", ["lms.djangoapp", "cms.djangoapp"])
@pytest.mark.parametrize("settings_type", ["common", "production", "devstack", "test"])
def test_add_plugins_applies_every_settings_type(settings_module, project, settings_type):
    add_plugins(settings_module.__name__, project, settings_type)
    for name, default in common.DEFAULTS.items():
        assert hasattr(settings_module, name), name
        if name != "MICRODEGREE_ASYNC_TASKS":
            assert getattr(settings_module, name) == default


def test_common_settings_keep_what_the_host_set(settings_module):
    settings_module.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.75"
    add_plugins(settings_module.__name__, "lms.djangoapp", "common")
    assert settings_module.MICRODEGREE_ACHIEVEMENT_THRESHOLD == "0.75"
    assert settings_module.MICRODEGREE_PARTICIPATION_THRESHOLD == "0.50"


def test_production_settings_take_what_the_yaml_configuration_set(settings_module):
    """As the platform's production.py does: YAML merged into the module, then the plugins' production settings."""
    add_plugins(settings_module.__name__, "lms.djangoapp", "common")
    yaml_config = {"MICRODEGREE_ACHIEVEMENT_THRESHOLD": "0.7", "MICRODEGREE_ASYNC_TASKS": True}
    vars(settings_module).update(yaml_config)
    settings_module.ENV_TOKENS = {**yaml_config, "MICRODEGREE_PARTICIPATION_THRESHOLD": "0.9"}  # a stale alias
    add_plugins(settings_module.__name__, "lms.djangoapp", "production")
    assert settings_module.MICRODEGREE_ACHIEVEMENT_THRESHOLD == "0.7"
    assert settings_module.MICRODEGREE_ASYNC_TASKS is True
    assert settings_module.MICRODEGREE_PARTICIPATION_THRESHOLD == "0.50"  # ENV_TOKENS is not read
    assert settings_module.MICRODEGREE_COMPLETABLE_BLOCKS == {}


def test_production_settings_alone_give_the_defaults():
    probe = types.SimpleNamespace()
    production.plugin_settings(probe)
    assert probe.MICRODEGREE_ACHIEVEMENT_THRESHOLD == "0.60"


def test_devstack_and_test_settings():
    dev, test = types.SimpleNamespace(), types.SimpleNamespace(MICRODEGREE_ASYNC_TASKS=True)
    devstack.plugin_settings(dev)
    test_settings.plugin_settings(test)
    assert dev.MICRODEGREE_ACHIEVEMENT_THRESHOLD == test.MICRODEGREE_ACHIEVEMENT_THRESHOLD == "0.60"
    assert test.MICRODEGREE_ASYNC_TASKS is False


def _receivers(signal, dispatch_uid):
    """The live receiver functions connected to ``signal`` under ``dispatch_uid`` (Django 4.2 and 5.x)."""
    found = []
    for entry in signal.receivers:
        lookup_key, ref = entry[0], entry[1]
        if lookup_key[0] == dispatch_uid:
            found.append(ref() if callable(ref) and not hasattr(ref, "__code__") else ref)
    return found


@pytest.mark.parametrize("signal, dispatch_uid, receiver", RECEIVERS)
def test_receivers_are_connected_to_the_real_signals(signal, dispatch_uid, receiver):
    assert signal.has_listeners()
    assert _receivers(signal, dispatch_uid) == [receiver]


def test_connecting_again_does_not_duplicate_receivers():
    before = {uid: len(signal.receivers) for signal, uid, _ in RECEIVERS}
    connect_plugin_receivers("lms.djangoapp")
    assert {uid: len(signal.receivers) for signal, uid, _ in RECEIVERS} == before
    for signal, uid, receiver in RECEIVERS:
        assert _receivers(signal, uid) == [receiver]


def test_optional_receivers_are_connected_by_ready():
    from django.db.models.signals import post_save  # pylint: disable=import-outside-toplevel

    from microdegree_xblock import compat  # pylint: disable=import-outside-toplevel

    completion = compat.get_block_completion_model()
    assert completion is not None  # edx-completion is installed in the test environment
    assert post_save.has_listeners(completion)
    assert _receivers(post_save, "microdegree_xblock.handlers.block_completion_saved") == [
        handlers.block_completion_saved
    ]
    assert _receivers(compat.get_retirement_signal(), "microdegree_xblock.handlers.user_retired") == [
        handlers.user_retired
    ]


@pytest.mark.django_db
def test_a_grade_event_reaches_the_plugin(catalog, learner):
    send_grade(learner.pk, VET[0], 0.42)
    state = LearnerCourseState.objects.get(user=learner)
    assert str(state.course_key) == VET[0] and float(state.best_percent) == 0.42
    assert not Award.objects.exists()
    send_grade(learner.pk, VET[0], 0.6)
    assert Award.objects.filter(user=learner, course_key=VET[0]).count() == 1
