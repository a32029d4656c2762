"""
The badge events on the Open edX event bus: ``MICRODEGREE_EVENT_BUS`` and a round trip through Redis Streams.

With the setting on, the plugin's settings add ``BADGE_AWARDED`` and ``BADGE_REVOKED`` to the LMS's
``EVENT_BUS_PRODUCER_CONFIG`` (docs/decisions/0029). The round trip runs what the LMS runs: openedx-events' own
start-up (``OpenedxEventsConfig.ready``) connects its producer handler for the configured event types, the plugin
issues and revokes a real award, the real producer of ``edx-event-bus-redis`` (``EVENT_BUS_PRODUCER``) writes both
events to a Redis stream, and its consumer (``EVENT_BUS_CONSUMER``, as ``manage.py lms consume_events`` makes it)
reads them back and sends them again as signals, where they must arrive as they were sent.

The round trip needs a Redis server: ``MICRODEGREE_TEST_REDIS_URL=redis://127.0.0.1:6379/0``. Without it the test
skips and says so; under CI (``CI=true``) it fails instead. Each run uses a topic prefix of its own and deletes its
stream afterwards.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import types
import uuid
from contextlib import contextmanager

import openedx_events
import pytest
from django.core.management import call_command
from openedx_events.apps import OpenedxEventsConfig, general_signal_handler
from openedx_events.event_bus import get_producer, make_single_consumer, merge_producer_configs
from openedx_events.learning.signals import BADGE_AWARDED, BADGE_REVOKED

from microdegree_xblock import api, conf
from microdegree_xblock.settings import common, devstack, production
from microdegree_xblock.settings import test as test_settings

from .conftest import VET
from .services import missing_service

REDIS_URL_VARIABLE = "MICRODEGREE_TEST_REDIS_URL"
HOW_TO_RUN = (f"the event bus round trip needs a Redis server: set {REDIS_URL_VARIABLE}, e.g. "
              f"{REDIS_URL_VARIABLE}=redis://127.0.0.1:6379/0 (apt-get install redis-server)")
TOPIC = "learning-badges-lifecycle"
AWARDED, REVOKED = BADGE_AWARDED.event_type, BADGE_REVOKED.event_type
OURS = {"event_key_field": "badge.uuid", "enabled": True}
DEADLINE_SECONDS = 30


def _config(**settings) -> dict:
    """EVENT_BUS_PRODUCER_CONFIG after the plugin's production settings ran on a module holding ``settings``."""
    module = types.SimpleNamespace(**settings)
    production.plugin_settings(module)
    return getattr(module, "EVENT_BUS_PRODUCER_CONFIG", None)


def _validated(config: dict) -> list:
    """The signals openedx-events' start-up connects its producer handler to for ``config`` (its own validation)."""
    app = OpenedxEventsConfig("openedx_events", openedx_events)
    return [app._get_validated_signal_config(event_type, topics)  # pylint: disable=protected-access
            for event_type, topics in config.items()]


# ---------------------------------------------------------------------------------------------------------------
# The setting


def test_the_constants_name_the_badge_signals():
    assert conf.BADGE_EVENT_TYPES == (AWARDED, REVOKED)
    assert conf.EVENT_BUS_TOPIC == TOPIC and conf.EVENT_BUS_KEY_FIELD == "badge.uuid"
    assert conf.DEFAULTS["MICRODEGREE_EVENT_BUS"] is False
    assert conf.event_bus() is False


def test_off_the_settings_add_nothing():
    assert _config() is None
    assert _config(MICRODEGREE_EVENT_BUS=False) is None
    assert _config(MICRODEGREE_EVENT_BUS="yes") is None  # not a bool: added nothing; the system check says why
    operator = {"org.openedx.content_authoring.xblock.deleted.v1": {"t": {"event_key_field": "k", "enabled": True}}}
    assert _config(EVENT_BUS_PRODUCER_CONFIG=operator) is operator


@pytest.mark.parametrize("settings_type", [common, production, devstack, test_settings])
def test_on_each_settings_type_adds_both_events_and_openedx_events_accepts_them(settings_type):
    module = types.SimpleNamespace(MICRODEGREE_EVENT_BUS=True)
    settings_type.plugin_settings(module)
    assert module.EVENT_BUS_PRODUCER_CONFIG == {AWARDED: {TOPIC: OURS}, REVOKED: {TOPIC: OURS}}
    assert _validated(module.EVENT_BUS_PRODUCER_CONFIG) == [BADGE_AWARDED, BADGE_REVOKED]


def test_what_the_operator_configured_wins_and_is_never_changed_in_place():
    operator = {
        REVOKED: {TOPIC: {"enabled": False}, "other-topic": {"event_key_field": "badge.user.id", "enabled": True}},
        AWARDED: {TOPIC: {"event_key_field": "badge.template.uuid", "enabled": True}},
        "org.openedx.learning.course.passing.status.updated.v1": {
            TOPIC: {"event_key_field": "course_passing_status.course.course_key", "enabled": False},
        },
    }
    before = repr(operator)
    config = _config(MICRODEGREE_EVENT_BUS=True, EVENT_BUS_PRODUCER_CONFIG=operator)
    assert repr(operator) == before
    assert config == {
        REVOKED: {TOPIC: {"event_key_field": "badge.uuid", "enabled": False},
                  "other-topic": {"event_key_field": "badge.user.id", "enabled": True}},
        AWARDED: {TOPIC: {"event_key_field": "badge.template.uuid", "enabled": True}},
        "org.openedx.learning.course.passing.status.updated.v1": operator[
            "org.openedx.learning.course.passing.status.updated.v1"],
    }
    assert len(_validated(config)) == 3
    assert _config(MICRODEGREE_EVENT_BUS=True, EVENT_BUS_PRODUCER_CONFIG=config) == config  # again: no change


def test_in_the_lms_order_the_yaml_still_wins(monkeypatch):
    """As lms/envs/production.py: common settings, the YAML merged, production settings, then the YAML's config."""
    from edx_django_utils.plugins import add_plugins  # pylint: disable=import-outside-toplevel

    module = types.ModuleType("tests.probe_event_bus_settings")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    module.EVENT_BUS_PRODUCER_CONFIG = {}  # the platform's common.py defines it
    add_plugins(module.__name__, "lms.djangoapp", "common")
    assert module.EVENT_BUS_PRODUCER_CONFIG == {}  # off by default
    yaml_tokens = {"MICRODEGREE_EVENT_BUS": True, "EVENT_BUS_PRODUCER_CONFIG": {AWARDED: {TOPIC: {"enabled": False}}}}
    vars(module).update({k: v for k, v in yaml_tokens.items() if k != "EVENT_BUS_PRODUCER_CONFIG"})
    add_plugins(module.__name__, "lms.djangoapp", "production")
    module.EVENT_BUS_PRODUCER_CONFIG = merge_producer_configs(module.EVENT_BUS_PRODUCER_CONFIG,
                                                              yaml_tokens["EVENT_BUS_PRODUCER_CONFIG"])
    assert module.EVENT_BUS_PRODUCER_CONFIG == {
        AWARDED: {TOPIC: {"event_key_field": "badge.uuid", "enabled": False}}, REVOKED: {TOPIC: OURS},
    }


def test_the_check_names_a_bad_value_and_a_setting_that_came_too_late(settings):
    settings.MICRODEGREE_EVENT_BUS = "true"
    found = conf.check_settings()
    assert [m.id for m in found] == ["microdegree.E001"]
    assert found[0].msg == "MICRODEGREE_EVENT_BUS must be True or False, got 'true'"
    # Set after the plugins' settings ran (e.g. in Tutor's openedx-lms-common-settings patch): nothing was added.
    settings.MICRODEGREE_EVENT_BUS = True
    settings.EVENT_BUS_PRODUCER = "edx_event_bus_redis.create_producer"
    found = conf.check_settings()
    assert [m.id for m in found] == ["microdegree.W003"]
    assert f"no 'learning-badges-lifecycle' entry for {AWARDED}, {REVOKED}" in found[0].msg
    assert "lms-env" in found[0].hint
    settings.EVENT_BUS_PRODUCER_CONFIG = _config(MICRODEGREE_EVENT_BUS=True)
    assert conf.check_settings() == []
    assert conf.event_bus() is True
    del settings.EVENT_BUS_PRODUCER
    assert [m.msg for m in conf.check_settings()] == [
        "MICRODEGREE_EVENT_BUS is on, but EVENT_BUS_PRODUCER is not set: the badge events go to no event bus"
    ]
    call_command("check")  # a warning does not stop the LMS


# ---------------------------------------------------------------------------------------------------------------
# The round trip through Redis Streams


@pytest.fixture
def redis_url() -> str:
    """The Redis server of the round trip; without one, skip the test, or fail it under CI (``CI=true``)."""
    url = os.environ.get(REDIS_URL_VARIABLE, "")
    if not url:
        missing_service(HOW_TO_RUN)
    return url


@pytest.fixture
def event_bus(settings, redis_url):
    """
    The LMS's event bus as Tutor configures it, on Redis, with the plugin's setting on; its stream deleted after.

    Yields the full stream name. openedx-events' own start-up connects its producer handler to the configured
    signals; it is disconnected after the test.
    """
    import redis  # pylint: disable=import-outside-toplevel

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        pytest.fail(f"{REDIS_URL_VARIABLE}={redis_url}: no Redis answers there ({exc}); {HOW_TO_RUN}")
    prefix = f"microdegree-test-{uuid.uuid4().hex[:12]}"
    settings.MICRODEGREE_EVENT_BUS = True
    settings.EVENT_BUS_PRODUCER = "edx_event_bus_redis.create_producer"
    settings.EVENT_BUS_CONSUMER = "edx_event_bus_redis.RedisEventConsumer"
    settings.EVENT_BUS_REDIS_CONNECTION_URL = redis_url
    settings.EVENT_BUS_TOPIC_PREFIX = prefix
    settings.EVENT_BUS_PRODUCER_CONFIG = _config(MICRODEGREE_EVENT_BUS=True)
    assert conf.check_settings() == []
    get_producer.cache_clear()  # openedx-events also clears it on every setting change
    OpenedxEventsConfig("openedx_events", openedx_events).ready()
    stream = f"{prefix}-{TOPIC}"
    try:
        yield stream
    finally:
        for badge_signal in (BADGE_AWARDED, BADGE_REVOKED):
            badge_signal.disconnect(general_signal_handler)
        get_producer.cache_clear()
        client.delete(stream)
        client.close()


class Received:
    """Records the badge events: sent in the LMS, and sent again by the consumer from the event bus."""

    def __init__(self):
        self.sent: list[tuple[str, object, object]] = []
        self.consumed: list[tuple[str, object, object]] = []
        self.consumer = None

    def __call__(self, sender, signal, badge, metadata, from_event_bus=False, **kwargs):  # pylint: disable=unused-argument,redefined-outer-name
        (self.consumed if from_event_bus else self.sent).append((signal.event_type, badge, metadata))
        if len(self.consumed) == 2 and self.consumer is not None:
            self.consumer._shut_down()  # pylint: disable=protected-access  # its documented test hook


@contextmanager
def recorded():
    received = Received()
    for badge_signal in (BADGE_AWARDED, BADGE_REVOKED):
        badge_signal.connect(received, dispatch_uid="test-event-bus")
    try:
        yield received
    finally:
        for badge_signal in (BADGE_AWARDED, BADGE_REVOKED):
            badge_signal.disconnect(dispatch_uid="test-event-bus")


@pytest.mark.django_db
@pytest.mark.usefixtures("catalog")
def test_awarded_and_revoked_go_through_redis_and_come_back_intact(  # pylint: disable=redefined-outer-name
    event_bus, learner, earn, django_capture_on_commit_callbacks, monkeypatch,
):
    import redis  # pylint: disable=import-outside-toplevel
    from edx_event_bus_redis.internal import consumer as redis_consumer  # pylint: disable=import-outside-toplevel

    assert BADGE_AWARDED.has_listeners() and BADGE_REVOKED.has_listeners()
    monkeypatch.setattr(redis_consumer, "CONSUMER_POLL_TIMEOUT", 1)  # read at import: a 1 s block per poll
    with recorded() as received:
        # As `manage.py lms consume_events` makes it; check_backlog: its new group reads the stream from the start.
        consumer = make_single_consumer(topic=TOPIC, group_id=f"{event_bus}-group", consumer_name="test-consumer",
                                        check_backlog=True)
        assert isinstance(consumer, redis_consumer.RedisEventConsumer)
        received.consumer = consumer

        [award] = earn(learner, VET[0], 0.9)  # BADGE_AWARDED after commit, produced to Redis
        with django_capture_on_commit_callbacks(execute=True):
            api.revoke_award(award_id=award.id, reason="Grade annulled after an appeal.")  # BADGE_REVOKED
        client = redis.Redis.from_url(os.environ[REDIS_URL_VARIABLE])
        try:
            assert client.xlen(event_bus) == 2  # both on the one topic, under this run's prefix
            assert sorted(client.xrange(event_bus)[0][1]) == [b"event_data", b"id", b"minorversion", b"source",
                                                             b"sourcehost", b"sourcelib", b"time", b"type"]
        finally:
            client.close()

        # In the main thread: its timeout on reading pending messages is a SIGALRM handler (left set: restored here).
        watchdog = threading.Timer(DEADLINE_SECONDS, consumer._shut_down)  # pylint: disable=protected-access
        alarm_handler = signal.getsignal(signal.SIGALRM)
        watchdog.start()
        try:
            consumer.consume_indefinitely()
        finally:
            watchdog.cancel()
            signal.signal(signal.SIGALRM, alarm_handler)

    assert len(received.consumed) == 2, f"consumed {received.consumed!r} within {DEADLINE_SECONDS} s"
    assert [event_type for event_type, _, _ in received.sent] == [AWARDED, REVOKED]
    assert [event_type for event_type, _, _ in received.consumed] == [AWARDED, REVOKED]
    for (_, sent_badge, sent_metadata), (_, badge, metadata) in zip(received.sent, received.consumed, strict=True):
        assert badge == sent_badge  # the whole BadgeData, field by field
        assert metadata == sent_metadata  # the same event: id, type, time, source, sourcehost, sourcelib, minorversion
    for _, badge, _ in received.consumed:
        assert badge.uuid == award.id
        assert (badge.user.id, badge.user.is_active) == (learner.pk, True)
        assert (badge.user.pii.username, badge.user.pii.email, badge.user.pii.name) == (
            "anna", "anna@example.org", "Anna Schmidt")
        assert badge.template.uuid == api.template_uuid(program_id="ai-vet", kind=award.kind, course_key=VET[0])
        assert badge.template.origin == api.BADGE_ORIGIN == "microdegree"
        assert "AI_VET I" in badge.template.name and badge.template.description == "AI_VET"
