"""
Every setting is read in one place (``conf.py``), with its default, and a bad value is a clear configuration error.

The Django system check reports it when the LMS starts (``manage.py check`` runs it, as ``migrate`` and
``runserver`` do), naming the setting; a read that meets it anyway raises ``ImproperlyConfigured`` with the same
message, and a grade event is still never raised into the LMS.
"""
from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from microdegree_xblock import api, conf
from microdegree_xblock.credentials import keys
from microdegree_xblock.payloads import program_json
from tests.conftest import VET, send_grade

PACKAGE = Path(__file__).resolve().parent.parent / "microdegree_xblock"


def test_the_defaults_pass_the_check_and_are_what_the_docs_say():
    assert conf.check_settings() == []
    assert conf.default_thresholds() == (Decimal("0.6"), Decimal("0.5"))
    assert conf.async_tasks() is False  # the test settings make the after-award work eager


@pytest.mark.parametrize(("name", "value", "says"), [
    ("MICRODEGREE_ACHIEVEMENT_THRESHOLD", "60", "greater than 0 and at most 1"),
    ("MICRODEGREE_ACHIEVEMENT_THRESHOLD", "0", "greater than 0 and at most 1"),
    ("MICRODEGREE_PARTICIPATION_THRESHOLD", "half", "greater than 0 and at most 1"),
    ("MICRODEGREE_ACHIEVEMENT_THRESHOLD", "0.60005", "more than 4 decimal places; it would be stored as 0.6000"),
    ("MICRODEGREE_PARTICIPATION_THRESHOLD", float("nan"), "greater than 0 and at most 1"),
    ("MICRODEGREE_PARTICIPATION_THRESHOLD", [0.5], "greater than 0 and at most 1"),
    ("MICRODEGREE_ASYNC_TASKS", "yes", "True or False"),
    ("MICRODEGREE_BACKFILL_SET_BASED", 1, "True or False"),
    ("MICRODEGREE_COMPLETABLE_BLOCKS", {"not a key": 3}, "not a valid course key"),
    ("MICRODEGREE_COMPLETABLE_BLOCKS", {VET[0]: -1}, "whole number"),
    ("MICRODEGREE_COMPLETABLE_BLOCKS", [VET[0]], "map course keys"),
    ("MICRODEGREE_ASSESSMENT_TYPE", 3, "a text"),
    ("LMS_ROOT_URL", "lms.example.org", "http(s) URL"),
])
def test_a_bad_value_is_a_named_error_at_start_up(settings, name, value, says):
    setattr(settings, name, value)
    found = conf.check_settings()
    assert [m.id for m in found] == ["microdegree.E001"]
    assert found[0].msg.startswith(name) and says in found[0].msg
    with pytest.raises(SystemCheckError, match=name):
        call_command("check")


def test_a_signing_key_that_is_no_ed25519_key_is_an_error(settings):
    settings.MICRODEGREE_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    assert [m.id for m in conf.check_settings()] == ["microdegree.E002"]
    settings.MICRODEGREE_SIGNING_KEY = keys.private_key_to_pem(keys.generate_private_key())
    assert conf.check_settings() == []


def test_without_a_root_url_every_link_names_one_fallback_and_the_check_warns(settings, catalog):
    del settings.LMS_ROOT_URL
    assert [m.id for m in conf.check_settings()] == ["microdegree.W001"]
    program = api.get_programs()[0]
    assert program_json(program)["courses"][0]["about_url"].startswith("http://localhost/courses/")
    assert conf.login_url().startswith("http://localhost/")


def test_the_root_url_loses_its_trailing_slash(settings):
    settings.LMS_ROOT_URL = "https://lms.example.org/"
    assert conf.lms_root_url() == "https://lms.example.org"


def test_a_bad_threshold_at_run_time_is_a_clear_error_and_never_reaches_the_lms(settings, catalog, learner, caplog):
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "60"
    with pytest.raises(ImproperlyConfigured, match="MICRODEGREE_ACHIEVEMENT_THRESHOLD must be a number"):
        api.get_learner_progress(user_id=learner.pk)
    with caplog.at_level(logging.ERROR, logger="microdegree_xblock"):
        send_grade(learner.pk, VET[0], 0.9)  # logged, not raised into the sender
    assert "MICRODEGREE_ACHIEVEMENT_THRESHOLD must be a number" in caplog.text
    assert api.get_learner_awards(user_id=learner.pk) == []


def test_a_changed_setting_applies_at_once(settings):
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.7"
    assert conf.achievement_threshold() == Decimal("0.7")
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.65"
    assert conf.achievement_threshold() == Decimal("0.65")


def test_no_module_but_conf_reads_the_plugins_settings():
    """``django.conf.settings`` is read in conf.py alone (the plugin_settings hooks write the defaults)."""
    readers = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and "from django.conf import settings" in path.read_text(encoding="utf-8")
    )
    # models/awards.py, models/conditions.py (and the migrations) name settings.AUTH_USER_MODEL
    # for the foreign keys, as Django apps must.
    assert readers == ["conf.py", "models/awards.py", "models/conditions.py"]
