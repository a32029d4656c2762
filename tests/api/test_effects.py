"""
``api.effects``: after commit, each new award is signed and announced once; the degree follows its last record.

With ``MICRODEGREE_ASYNC_TASKS`` the same work goes to Celery as one task message.
"""
from __future__ import annotations

import pytest
from celery import Celery

from microdegree_xblock import api, tasks
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
