"""
``api.effects``: after commit, each new award is signed and announced once; the degree follows its last record.

With ``MICRODEGREE_ASYNC_TASKS`` the same work goes to Celery as one task message. A task may run again (a worker
crash re-delivers it): the work is idempotent per award (tests/test_celery_worker.py runs it in a real worker).
"""
from __future__ import annotations

import importlib
from unittest import mock

import pytest
from celery import Celery
from django.apps import apps
from django.db import connection

from microdegree_xblock import api, compat, tasks
from microdegree_xblock.api import signing
from microdegree_xblock.models import Award, SignedCredential
from tests.conftest import VET, send_grade

pytestmark = pytest.mark.django_db


def test_each_award_is_signed_and_announced_once_after_commit(catalog, learner, badge_events,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_grade(learner.pk, VET[0], 0.9)
    award = Award.objects.get(user=learner)
    assert badge_events.awarded == [] and not SignedCredential.objects.exists()  # nothing before commit
    for callback in callbacks:
        callback()
    (event,) = badge_events.awarded
    assert event.uuid == str(award.uuid) and event.user.id == learner.pk
    assert event.template.name == "Achievement record: AI_VET I" and event.template.origin == api.BADGE_ORIGIN
    assert event.template.uuid == api.template_uuid(program_id="ai-vet", kind="achievement", course_key=VET[0])
    assert SignedCredential.objects.filter(award=award, format=SignedCredential.OB3).count() == 1


def test_the_degree_follows_the_last_record_and_is_announced(catalog, learner, earn, badge_events):
    for key in VET:
        earn(learner, key, 0.9)
    names = [b.template.name for b in badge_events.awarded]
    assert names[-1] == "AI_VET" and names.count("AI_VET") == 1  # the degree, once
    degree = Award.objects.get(user=learner, kind="degree")
    assert set(SignedCredential.objects.filter(award=degree).values_list("format", flat=True)) == {
        SignedCredential.OB3, SignedCredential.CLR, SignedCredential.CLR_MEMBER}
    api.process_awards(award_pks=[a.pk for a in Award.objects.filter(user=learner, kind="achievement")])
    assert Award.objects.filter(user=learner, kind="degree").count() == 1  # running again issues nothing twice


@pytest.fixture
def celery_app(settings):
    """Async tasks on, to a real Celery app on kombu's in-memory transport: tasks are sent, nothing runs them."""
    settings.MICRODEGREE_ASYNC_TASKS = True
    app = Celery("microdegree-test", broker="memory://", set_as_current=True)
    yield app
    with app.connection_for_write() as connection:
        connection.SimpleQueue("celery").clear()


def test_with_async_tasks_the_work_is_one_celery_message(catalog, learner, celery_app, badge_events,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, VET[0], 0.9)
    assert badge_events.awarded == [] and not SignedCredential.objects.exists()  # queued, not done
    with celery_app.connection_for_read() as connection:
        message = connection.SimpleQueue("celery").get(timeout=5)
        message.ack()
    award = Award.objects.get(user=learner)
    assert message.headers["task"] == "microdegree_xblock.tasks.process_awards"
    args, kwargs, _embed = message.payload
    assert (args, kwargs) == ([[award.pk]], {})
    tasks.process_awards(*args)  # what the worker runs
    assert [b.uuid for b in badge_events.awarded] == [str(award.uuid)]
    assert SignedCredential.objects.filter(award=award).exists()


def test_the_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost():
    for task in (tasks.process_awards, tasks.reconcile):
        assert task.acks_late and task.reject_on_worker_lost, task.name


def test_run_again_the_work_signs_nothing_and_announces_nothing_twice(catalog, learner, badge_events,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_grade(learner.pk, VET[0], 0.9)
    award = Award.objects.get(user=learner)
    assert award.announced_at is None
    with mock.patch.object(signing, "_sign", wraps=signing._sign) as sign:  # pylint: disable=protected-access
        for callback in callbacks:
            callback()
        award.refresh_from_db()
        announced, stored, signed = award.announced_at, SignedCredential.objects.get(award=award), sign.call_count
        for callback in callbacks:  # the same work again, as a task re-delivered after a worker crash runs it
            callback()
        tasks.process_awards([award.pk])
    assert [b.uuid for b in badge_events.awarded] == [str(award.uuid)]
    assert signed > 0 and sign.call_count == signed  # the credential (and its status list) signed by the first run
    award.refresh_from_db()
    assert announced is not None and award.announced_at == announced
    assert list(SignedCredential.objects.filter(award=award).values_list("pk", "text")) == [(stored.pk, stored.text)]


def test_run_again_for_a_whole_program_the_degree_is_issued_signed_and_announced_once(catalog, learner, earn,
                                                                                       badge_events):
    for key in VET:
        earn(learner, key, 0.9)
    awards = list(Award.objects.filter(user=learner))
    before = dict(SignedCredential.objects.values_list("pk", "text"))
    with mock.patch.object(signing, "_sign", wraps=signing._sign) as sign:  # pylint: disable=protected-access
        api.process_awards(award_pks=[a.pk for a in awards])
    assert sign.call_count == 0 and dict(SignedCredential.objects.values_list("pk", "text")) == before
    assert sorted(b.uuid for b in badge_events.awarded) == sorted(str(a.uuid) for a in awards)  # five, once each
    assert len(awards) == 5 and all(a.announced_at is not None for a in awards)


def test_an_award_revoked_before_its_work_ran_is_not_announced(catalog, learner, badge_events,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_grade(learner.pk, VET[0], 0.9)
    award = Award.objects.get(user=learner)
    api.revoke_award(award_id=award.uuid, reason="Exam result annulled")
    for callback in callbacks:
        callback()
    assert badge_events.awarded == []
    award.refresh_from_db()
    assert award.announced_at is None


def test_a_failed_send_leaves_the_award_unannounced_for_the_next_run(catalog, learner, badge_events,
                                                                     django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_grade(learner.pk, VET[0], 0.9)
    award = Award.objects.get(user=learner)
    with mock.patch.object(compat, "send_badge_event", side_effect=RuntimeError("bus down")):
        for callback in callbacks:
            callback()
    award.refresh_from_db()
    assert award.announced_at is None and badge_events.awarded == []
    assert "sending the badge event for award" in caplog.text
    api.process_awards(award_pks=[award.pk])
    award.refresh_from_db()
    assert award.announced_at is not None and [b.uuid for b in badge_events.awarded] == [str(award.uuid)]


def test_the_migration_takes_awards_processed_by_earlier_releases_as_announced(catalog, learner, other_learner,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, VET[0], 0.9)  # signed and announced
    send_grade(other_learner.pk, VET[0], 0.9)  # its work never ran: no credential
    Award.objects.update(announced_at=None)  # as the column is added
    migration = importlib.import_module("microdegree_xblock.migrations.0006_award_announced_at")
    migration.mark_processed_awards_announced(apps, connection.schema_editor())
    processed, lost = Award.objects.get(user=learner), Award.objects.get(user=other_learner)
    assert processed.announced_at == processed.issued_at and lost.announced_at is None
