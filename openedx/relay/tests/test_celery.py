"""The service down: send_event still returns at once; a REAL Celery worker on the local Redis delivers every event
once the service is back (retried with backoff meanwhile, metadata.id keeping retries safe)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from openedx_webhooks_relay import tasks

from .conftest import refresh_routing, stop_process
from .test_events import ENROLLMENT, enrollment

pytestmark = pytest.mark.django_db(transaction=True)

RELAY_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def celery_queue(settings):
    """The tests' Celery app on the local Redis, with a queue of this run only (removed afterwards)."""
    from .celery_app import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {settings.CELERY_BROKER_URL} does not answer ({exc}): start redis-server")
    app.set_current()
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.task_default_queue = queue
    yield queue
    client.delete(queue, f"_kombu.binding.{queue}")


def test_events_sent_while_the_service_is_down_arrive_once_it_is_back(
    relay, settings, receiver, make_webhook, celery_queue, tmp_path
):
    settings.OPENEDX_WEBHOOKS_EVENTS_DELIVERY = "celery"
    make_webhook(ENROLLMENT, receiver.url)
    refresh_routing()
    relay.stop()
    worker = None
    log = tmp_path / "worker.log"
    try:
        took = []
        for user_id in range(1, 6):
            t0 = time.perf_counter()
            COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=user_id))
            took.append(time.perf_counter() - t0)
        assert tasks.mode() == "celery"
        assert tasks.dispatcher.drain(20), "the events were not handed to Celery"
        logging.getLogger(__name__).info("send_event with the service down: slowest %.2f ms", max(took) * 1000)

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "RELAY_TEST_SQLITE": settings.DATABASES["default"]["NAME"],  # the outbox the events were written to
            "RELAY_TEST_SERVICE_URL": relay.url,
            "RELAY_TEST_SERVICE_KEY": relay.key,
            "RELAY_TEST_QUEUE": celery_queue,
            "RELAY_TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        }
        with log.open("w") as out:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.celery_app",
                    "worker",
                    "-Q",
                    celery_queue,
                    "-P",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "info",
                ],
                cwd=RELAY_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        # The worker tries while the service is down: each event fails and is scheduled again.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and log.read_text().count("not taken yet") < 5:
            assert worker.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
        assert log.read_text().count("not taken yet") >= 5, log.read_text()[-3000:]
        assert receiver.requests == []

        relay.start()
        got = receiver.wait_for(5, timeout=120)
        assert len(got) == 5, log.read_text()[-3000:]
        time.sleep(2)  # a duplicate would come now
        ids = [r.json()["event_metadata"]["id"] for r in receiver.requests]
        users = sorted(r.json()["enrollment"]["user"]["id"] for r in receiver.requests)
        assert len(ids) == len(set(ids)) == 5
        assert users == [1, 2, 3, 4, 5]
    finally:
        if worker is not None:
            stop_process(worker, 20)
        if not _healthy(relay):
            relay.start()  # the next tests need the service


def _healthy(service) -> bool:
    try:
        return service.http.get(service.url + "/api/health", timeout=2).status_code == 200
    except Exception:  # noqa: BLE001
        return False
