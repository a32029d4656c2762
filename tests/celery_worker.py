"""
A real Celery worker for tests/test_celery_worker.py: ``celery -A tests.celery_worker worker --pool=prefork ...``.

It runs the plugin's tasks on the test settings, against the test's database (``MICRODEGREE_TEST_DB_NAME``, as
tests/grade_sender.py does) and its broker and queue, and writes down what it did, in ``MICRODEGREE_TEST_WORKER_DIR``:

``ready``        the worker consumes from the queue
``runs.log``     ``start <task id> <redelivered>`` when a task starts, ``done <task id>`` when it succeeded
``awarded.log``  the badge uuid of every ``BADGE_AWARDED`` it sent
``stored.log``   ``<award uuid> <format>`` for every signed credential it went to store
``crashed``      the one crash happened (the task id)

``MICRODEGREE_TEST_WORKER_CRASH`` makes the pool process that runs the tasks kill itself (SIGKILL) once:
``after-task`` right after the first task succeeded, before its message is acknowledged; ``after-event`` right after
the first ``BADGE_AWARDED`` was sent, before the award records it. The worker's main process survives, sees its
pool process lost, and (the tasks being ``reject_on_worker_lost``) hands the message back to the broker.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402  pylint: disable=wrong-import-position

django.setup()

# pylint: disable=wrong-import-position
from celery import Celery, signals  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db.models.signals import pre_save  # noqa: E402
from openedx_events.learning.signals import BADGE_AWARDED  # noqa: E402

from microdegree_xblock import tasks  # noqa: E402  (registers the shared tasks)
from microdegree_xblock.models import SignedCredential  # noqa: E402

OUT = Path(os.environ["MICRODEGREE_TEST_WORKER_DIR"])
CRASH = os.environ.get("MICRODEGREE_TEST_WORKER_CRASH", "")
QUEUE = os.environ["MICRODEGREE_TEST_QUEUE"]

# As in an LMS with async tasks: a degree found due inside a task is queued as a task of its own.
settings.MICRODEGREE_ASYNC_TASKS = True

app = Celery("microdegree-test-worker", broker=os.environ["MICRODEGREE_TEST_BROKER_URL"])
app.conf.update(
    task_default_queue=QUEUE,
    worker_prefetch_multiplier=1,
    worker_send_task_events=False,
    worker_enable_remote_control=False,
    broker_connection_retry_on_startup=True,
    worker_lost_wait=0.5,  # how long a lost pool process's result is waited for (10 s by default)
)
assert tasks.process_awards.name in app.tasks


def _append(name: str, line: str) -> None:
    with open(OUT / name, "a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())


def _crash_once(why: str) -> None:
    """SIGKILL this process, the first time only (the marker file is created exclusively)."""
    try:
        fd = os.open(OUT / "crashed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, why.encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


@signals.worker_ready.connect
def _ready(**kwargs: Any) -> None:  # pylint: disable=unused-argument
    (OUT / "ready").touch()


@signals.task_prerun.connect
def _started(task_id: str, task: Any, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    _append("runs.log", f"start {task_id} {redelivered}")


@signals.task_success.connect
def _succeeded(sender: Any, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    _append("runs.log", f"done {sender.request.id}")
    if CRASH == "after-task":
        _crash_once(sender.request.id)


def _awarded(sender: Any, badge: Any, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    _append("awarded.log", badge.uuid)
    if CRASH == "after-event":
        _crash_once(badge.uuid)


def _storing(sender: Any, instance: SignedCredential, raw: bool = False, **kwargs: Any) -> None:  # noqa: ARG001
    if not raw and instance.pk is None:
        _append("stored.log", f"{instance.award.uuid} {instance.format}")


BADGE_AWARDED.connect(_awarded, dispatch_uid="microdegree-test-worker-awarded")
pre_save.connect(_storing, sender=SignedCredential, dispatch_uid="microdegree-test-worker-stored")
