"""
With ``MICRODEGREE_ASYNC_TASKS`` on, the after-commit work runs in a real Celery worker, on a real broker.

Each test starts ``celery worker`` (prefork pool, one process; tests/celery_worker.py) on the test's database and on
a queue of its own, sends real grade events for the four courses of AI_VET, and waits until the worker has signed
and announced the four achievement records and the degree. A worker whose pool process is killed after a task
succeeded, before the message was acknowledged, gets the message again (``acks_late``, ``reject_on_worker_lost``)
and runs the task again: still each award is signed once and announced once. Killed between an event and its
record, the event is repeated once: the window docs/decisions/0028-celery-tasks-acks-late-and-idempotent.rst names.

The broker is ``$MICRODEGREE_TEST_BROKER_URL``, e.g. ``amqp://guest:guest@127.0.0.1:5672//`` (RabbitMQ hands a
rejected message back at once). Without it the tests skip and say how to run them; under CI (``CI=true``, where
``.ci/run`` sets it) they fail.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.contrib.auth import get_user_model
from django.db import connection
from kombu import Exchange, Queue
from lms.djangoapps.grades.models import PersistentCourseGrade  # the LMS stand-in's grades table
from opaque_keys.edx.keys import CourseKey

from microdegree_xblock import api
from microdegree_xblock.data import DEGREE
from microdegree_xblock.models import Award, SignedCredential

from .conftest import VET, send_grade
from .services import missing_service

ROOT = Path(__file__).resolve().parent.parent
BROKER_VARIABLE = "MICRODEGREE_TEST_BROKER_URL"
HOW_TO_RUN = (
    "the Celery worker tests need a broker: start RabbitMQ (or use the machine's, at 127.0.0.1:5672) and set "
    f"{BROKER_VARIABLE}=amqp://guest:guest@127.0.0.1:5672// to run them (`.ci/run` sets it)"
)
STARTUP_SECONDS = 30
WORK_SECONDS = 30

pytestmark = pytest.mark.django_db(transaction=True)


def broker_url() -> str:
    """The test broker; without one, skip the test, or fail it under CI (``CI=true``)."""
    url = os.environ.get(BROKER_VARIABLE, "")
    if not url:
        missing_service(HOW_TO_RUN)
    return url


@pytest.fixture
def broker(settings) -> Iterator[tuple[Celery, str]]:
    """Async tasks on, sent by a Celery app on the test broker to a queue of this test's own; deleted afterwards."""
    url = broker_url()
    queue = f"microdegree-test-{uuid.uuid4().hex}"
    previous = current_app._get_current_object()  # pylint: disable=protected-access
    app = Celery("microdegree-test", broker=url, set_as_current=True)
    app.conf.task_default_queue = queue
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=2, interval_start=0.2)
    except Exception as exc:  # pylint: disable=broad-except
        previous.set_current()
        pytest.fail(f"{BROKER_VARIABLE}={url}: the broker does not answer ({exc!r}); {HOW_TO_RUN}")
    settings.MICRODEGREE_ASYNC_TASKS = True
    yield app, queue
    try:
        with app.connection_for_write() as conn:  # the queue and its exchange, as Celery declares them
            bound = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)(conn.default_channel)
            bound.declare()
            bound.purge()
            bound.delete()
            bound.exchange.delete()
    finally:
        app.close()
        previous.set_current()


def waiting(app: Celery, queue: str) -> int:
    """The number of messages ready in the queue (not counting those delivered and not yet acknowledged)."""
    with app.connection_for_write() as conn:
        try:
            return int(conn.default_channel.queue_declare(queue, passive=True).message_count)
        except conn.channel_errors:  # no such queue (Redis keeps none while it is empty): nothing waits
            return 0


@dataclass
class Worker:
    """A ``celery worker`` process and what it wrote down (tests/celery_worker.py)."""

    process: subprocess.Popen
    out: Path

    def lines(self, name: str) -> list[str]:
        path = self.out / name
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def log(self) -> str:
        return (self.out / "worker.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """
        Stop the worker: cold shutdown, else kill its process group (its pool processes with it).

        Cold, because the tests stop it once its work is done (a warm shutdown takes seconds longer); a message it
        held unacknowledged would go back to the queue, where the test looks.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the worker and its pool only
                self.process.wait(timeout=5)


@pytest.fixture
def start_worker(broker, tmp_path) -> Iterator[Callable[[str], Worker]]:
    """Starts workers on the test's database, broker and queue (``crash``: tests/celery_worker.py); stops them."""
    _app, queue = broker
    started: list[Worker] = []

    def start(crash: str = "") -> Worker:
        out = tmp_path / f"worker{len(started)}"
        out.mkdir()
        environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT),
                   "MICRODEGREE_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
                   "MICRODEGREE_TEST_WORKER_DIR": str(out), "MICRODEGREE_TEST_WORKER_CRASH": crash,
                   "MICRODEGREE_TEST_QUEUE": queue, BROKER_VARIABLE: broker_url()}
        with open(out / "worker.log", "w", encoding="utf-8") as log:
            process = subprocess.Popen(  # noqa: S603 - our own module, our own arguments
                [sys.executable, "-m", "celery", "-A", "tests.celery_worker", "worker", "--pool=prefork",
                 "--concurrency=1", "--queues", queue, "--hostname", f"{queue}@%h", "--loglevel=INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(process, out)
        started.append(worker)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (out / "ready").exists():
            assert process.poll() is None, f"the worker exited ({process.returncode}):\n{worker.log()}"
            assert time.monotonic() < deadline, f"the worker did not start:\n{worker.log()}"
            time.sleep(0.1)
        return worker

    yield start
    for worker in started:
        worker.stop()


def finished(worker: Worker, user_id: int) -> bool:
    """The learner's five awards are signed and announced, and every task the worker started has succeeded."""
    awards = list(Award.objects.filter(user_id=user_id).prefetch_related("credentials"))
    signed = all({c.format for c in a.credentials.all()} >= ({"ob3", "clr"} if a.kind == DEGREE else {"ob3"})
                 for a in awards)
    last = {line.split()[1]: line.split()[0] for line in worker.lines("runs.log")}  # each task's latest entry
    return len(awards) == 5 and signed and all(a.announced_at for a in awards) and set(last.values()) <= {"done"}


def award_all_four_courses(app: Celery, queue: str, worker: Worker) -> tuple[list[Award], float]:
    """Grade a new learner in AI_VET's four courses (the work goes to the queue); wait until the worker did it all."""
    learner = get_user_model().objects.create_user(f"celery{uuid.uuid4().hex[:8]}", "celery@example.org", "pw")
    began = time.monotonic()
    for key in VET:
        send_grade(learner.pk, key, 0.9, send_robust=False)  # commits, then sends the task message
    deadline = began + WORK_SECONDS
    while not (finished(worker, learner.pk) and waiting(app, queue) == 0):
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log()}"
        assert time.monotonic() < deadline, f"the worker did not finish the work:\n{worker.log()}"
        time.sleep(0.2)
    took = time.monotonic() - began
    worker.stop()  # nothing runs afterwards: what it wrote down is all it did
    assert waiting(app, queue) == 0, "messages left in the queue"
    return list(Award.objects.filter(user=learner)), took


def assert_signed_once(worker: Worker, awards: list[Award]) -> None:
    """Every award's credentials are stored once, and the worker went to store each of them once only."""
    stored = Counter(worker.lines("stored.log"))
    held = Counter(f"{uuid_} {fmt}" for uuid_, fmt in
                   SignedCredential.objects.filter(award__in=awards).values_list("award__uuid", "format"))
    assert stored == held and set(held.values()) == {1}, (stored, held)
    assert {f"{a.uuid} ob3" for a in awards} <= set(held)


@pytest.fixture
def program(catalog):
    """AI_VET's four courses and its degree (the test catalog, committed: the worker reads it)."""
    return catalog


def test_a_real_worker_signs_and_announces_each_award_once(broker, start_worker, program):
    app, queue = broker
    worker = start_worker()
    awards, took = award_all_four_courses(app, queue, worker)
    assert sorted(worker.lines("awarded.log")) == sorted(str(a.uuid) for a in awards)  # once each, the degree too
    assert_signed_once(worker, awards)
    runs = worker.lines("runs.log")
    assert not any(line.endswith("True") for line in runs if line.startswith("start"))  # nothing redelivered
    assert len([line for line in runs if line.startswith("start")]) == 5  # four records, then the degree's own task
    assert [a.kind for a in awards].count(DEGREE) == 1
    print(f"worker: 5 awards signed and announced in {took:.1f} s")


def test_a_task_retried_after_its_worker_crashed_announces_and_signs_once(broker, start_worker, program):
    app, queue = broker
    worker = start_worker(crash="after-task")
    awards, took = award_all_four_courses(app, queue, worker)
    crashed = (worker.out / "crashed").read_text(encoding="utf-8")  # the task id
    runs = worker.lines("runs.log")
    # The task succeeded, its pool process was killed before the ack; the broker delivered it again, it ran again.
    assert [line for line in runs if crashed in line] == [
        f"start {crashed} False", f"done {crashed}", f"start {crashed} True", f"done {crashed}"]
    assert "exited with 'signal 9 (SIGKILL)'" in worker.log()
    assert sorted(worker.lines("awarded.log")) == sorted(str(a.uuid) for a in awards)  # still once each
    assert_signed_once(worker, awards)
    assert all(a.announced_at for a in awards)
    print(f"worker, crash after a task: 5 awards signed and announced in {took:.1f} s")


def test_a_crash_between_an_event_and_its_record_repeats_that_event_once(broker, start_worker, program):
    app, queue = broker
    worker = start_worker(crash="after-event")
    awards, took = award_all_four_courses(app, queue, worker)
    crashed = (worker.out / "crashed").read_text(encoding="utf-8")  # the badge uuid
    sent = Counter(worker.lines("awarded.log"))
    assert sent == {str(a.uuid): 2 if str(a.uuid) == crashed else 1 for a in awards}  # that one twice, no more
    assert_signed_once(worker, awards)
    print(f"worker, crash after an event: 5 awards signed and announced in {took:.1f} s")


def test_a_real_worker_runs_the_backfill_a_new_program_queues(broker, start_worker, program):
    """Grades the LMS persisted before the program existed: loading it queues the backfill, the worker issues all."""
    app, queue = broker
    learner = get_user_model().objects.create_user(f"past{uuid.uuid4().hex[:8]}", "past@example.org", "pw")
    for key in VET:
        PersistentCourseGrade.objects.create(user_id=learner.pk, course_id=CourseKey.from_string(key),
                                             percent_grade=0.9, letter_grade="", grading_policy_hash="h",
                                             course_version="v1")
    assert api.queue_backfill(["ai-vet"])  # no transaction open: sent at once, as after a load commits
    worker = start_worker()
    deadline = time.monotonic() + WORK_SECONDS
    while not (finished(worker, learner.pk) and waiting(app, queue) == 0):
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log()}"
        assert time.monotonic() < deadline, f"the worker did not finish the backfill:\n{worker.log()}"
        time.sleep(0.2)
    worker.stop()
    awards = list(Award.objects.filter(user=learner))
    assert sorted(a.evidence_event_type for a in awards if a.kind != DEGREE) == [
        "microdegree.backfill.persistent_grade"] * 4
    assert sorted(worker.lines("awarded.log")) == sorted(str(a.uuid) for a in awards)
    assert_signed_once(worker, awards)
