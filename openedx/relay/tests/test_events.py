"""Events end to end: the real openedx-events signals → the relay → the real service → a webhook's receiver."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.db import transaction
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED, SESSION_LOGIN_COMPLETED
from standardwebhooks import Webhook

from openedx_webhooks_relay import catalog, events, tasks
from openedx_webhooks_relay.events import all_signals, event_body
from openedx_webhooks_relay.routing import routing

from .conftest import refresh_routing
from .samples import event_data

pytestmark = pytest.mark.django_db(transaction=True)

ENROLLMENT = "org.openedx.learning.course.enrollment.created.v1"


def enrollment(user_id: int = 42) -> CourseEnrollmentData:
    return CourseEnrollmentData(
        user=UserData(
            id=user_id, is_active=True, pii=UserPersonalData(username="ada", email="ada@example.com", name="Ada")
        ),
        course=CourseData(course_key=CourseKey.from_string("course-v1:OpenedX+Demo+2025"), display_name="Demo"),
        mode="audit",
        is_active=True,
        creation_date=dt.datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=dt.UTC),
    )


class Metadata:
    """Records the EventsMetadata each send_event produced (a second, plain receiver on the signal)."""

    def __init__(self, signal: Any) -> None:
        self.seen: list[Any] = []
        self.signal = signal
        signal.connect(self, weak=False, dispatch_uid=f"test-metadata-{id(self)}")

    def __call__(self, sender: Any = None, metadata: Any = None, **kwargs: Any) -> None:
        self.seen.append(metadata)

    def close(self) -> None:
        self.signal.disconnect(dispatch_uid=f"test-metadata-{id(self)}")


@pytest.fixture
def seen_metadata():
    made: list[Metadata] = []

    def make(signal: Any) -> Metadata:
        made.append(Metadata(signal))
        return made[-1]

    yield make
    for m in made:
        m.close()


def test_enrollment_reaches_the_webhook_signed(relay, receiver, make_webhook, seen_metadata):
    hook = make_webhook(ENROLLMENT, receiver.url)
    refresh_routing()
    meta = seen_metadata(COURSE_ENROLLMENT_CREATED)

    COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment())

    [req] = receiver.wait_for(1)
    # The official Standard Webhooks verifier accepts the service's signature over the exact body.
    Webhook(hook["secret"]).verify(req.body, req.headers)
    body = req.json()
    assert body["enrollment"]["course"]["course_key"] == "course-v1:OpenedX+Demo+2025"
    assert body["enrollment"]["user"]["pii"]["email"] == "ada@example.com"
    assert body["enrollment"]["creation_date"] == "2025-03-14T15:09:26.535897Z"
    assert body["enrollment"]["created_by"] is None
    em = body["event_metadata"]
    md = meta.seen[0]
    assert em["id"] == str(md.id) == req.headers["webhook-id"]
    assert em["event_type"] == ENROLLMENT
    assert em["signal"] == "COURSE_ENROLLMENT_CREATED"
    assert em["source"] == md.source
    assert em["sourcehost"] == md.sourcehost
    assert em["sourcelib"] == list(md.sourcelib)
    assert em["time"].startswith(md.time.strftime("%Y-%m-%dT%H:%M:%S"))


def test_an_event_in_a_rolled_back_transaction_is_not_sent(relay, receiver, make_webhook, seen_metadata):
    make_webhook(ENROLLMENT, receiver.url)
    refresh_routing()
    meta = seen_metadata(COURSE_ENROLLMENT_CREATED)

    with transaction.atomic():
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=1))
        transaction.set_rollback(True)
    with transaction.atomic():
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment(user_id=2))

    assert len(meta.seen) == 2, "both events were sent by openedx-events"
    receiver.wait_for(1)
    assert tasks.dispatcher.drain(10)
    time.sleep(1.0)  # room for a wrongly sent first event to arrive too
    users = [r.json()["enrollment"]["user"]["id"] for r in receiver.requests]
    assert users == [2]


def test_every_event_is_accepted_after_catalog_sync(relay):
    res = catalog.sync()
    assert res.status == 200, res.body
    signals = all_signals()
    assert res.body["events"] >= len(signals)
    refused = {}
    for signal in signals:
        body = event_body(signal, signal.generate_signal_metadata(), event_data(signal))
        answer = relay.api("POST", "/api/events", body)
        if answer.status_code != 202:
            refused[signal.event_type] = (answer.status_code, answer.text[:300])
    assert refused == {}


def test_catalog_sync_reaches_the_service_and_counts(relay):
    body = catalog.build_catalog()
    res = catalog.sync()
    assert res.status == 200, res.body
    assert res.body["events"] == len(body["events"]) == len(all_signals())
    assert res.body["filters"] == len(body["filters"]) > 0
    listed = relay.api("GET", "/api/v1/catalog/events").json()
    entries = listed if isinstance(listed, list) else listed.get("events", listed.get("items", []))
    enroll = next(e for e in entries if e["event_type"] == ENROLLMENT)
    assert "platform" in enroll.get("sources", [])


def test_an_event_without_a_webhook_is_not_posted_once_routing_is_known(relay, settings, make_receiver):
    # A stand-in service on loopback that answers routing and records what the relay posts.
    stub = make_receiver()
    stub.respond = lambda req: (
        (200, {"events": [ENROLLMENT], "filters": [], "version": "1"})
        if req.path.startswith("/api/v1/routing")
        else (202, {"id": "x", "event_type": "x", "deliveries": 0})
    )
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    routing.refresh()

    SESSION_LOGIN_COMPLETED.send_event(user=enrollment().user)
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment())

    stub.wait_for(2)
    assert tasks.dispatcher.drain(10)
    posted = [r.json()["event_type"] for r in stub.requests if r.path == "/api/events"]
    assert posted == [ENROLLMENT]
    assert stub.requests[0].headers["authorization"] == f"Bearer {relay.key}"
    assert stub.requests[0].headers["user-agent"].startswith("openedx-webhooks-relay/")


def relay_connected(signal: Any) -> bool:
    """The relay's receiver is among the signal's receivers (Django keeps (dispatch_uid, sender id) as its key)."""
    return any(key[0][0] == events.DISPATCH_UID for key in signal.receivers)


def test_an_event_type_nobody_routes_has_no_receiver_until_a_webhook_wants_it(relay, settings, make_receiver):
    # Routing first says only enrollments are wanted, then (a webhook created for every event) "*".
    wanted = [ENROLLMENT]
    stub = make_receiver()
    stub.respond = lambda req: (
        (200, {"events": list(wanted), "filters": [], "version": str(len(wanted))})
        if req.path.startswith("/api/v1/routing")
        else (202, {"id": "x", "event_type": "x", "deliveries": 0})
    )
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    settings.OPENEDX_WEBHOOKS_ROUTING_TTL = 1
    routing.reset()
    assert relay_connected(SESSION_LOGIN_COMPLETED), "routing unknown: every signal has the receiver"
    routing.refresh()

    # An event nobody routes costs the platform nothing: Django's signal has no relay receiver to call.
    assert events.connected() == {ENROLLMENT}
    assert relay_connected(COURSE_ENROLLMENT_CREATED) and not relay_connected(SESSION_LOGIN_COMPLETED)
    SESSION_LOGIN_COMPLETED.send_event(user=enrollment().user)

    # No lookup of that event type will ever ask routing again: the routing thread asks every TTL by itself.
    wanted[:] = ["*"]
    routing._kick()
    deadline = time.monotonic() + 10
    while not relay_connected(SESSION_LOGIN_COMPLETED) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert relay_connected(SESSION_LOGIN_COMPLETED), "the receiver follows routing without any event sent"
    SESSION_LOGIN_COMPLETED.send_event(user=enrollment(user_id=7).user)
    assert tasks.dispatcher.drain(10)
    posted = [r.json() for r in stub.requests if r.path == "/api/events"]
    assert [(p["event_type"], p["data"]["user"]["id"]) for p in posted] == [
        ("org.openedx.learning.auth.session.login.completed.v1", 7)
    ]

    routing.reset()  # routing forgotten: every signal has the receiver again
    assert len(events.connected()) == len(all_signals())


def test_routing_is_asked_again_with_its_etag(relay):
    first = routing.refresh()
    assert first is not None and first.etag
    again = routing.refresh()
    assert again is first  # 304: the same answer is kept


def test_until_routing_answers_every_event_is_sent(relay, settings, make_receiver):
    stub = make_receiver()
    stub.respond = lambda req: (503, {"error": "starting"}) if "routing" in req.path else (202, {})
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()

    SESSION_LOGIN_COMPLETED.send_event(user=enrollment().user)

    got = stub.wait_for(2)
    assert tasks.dispatcher.drain(10)
    assert [json.loads(r.body)["event_type"] for r in got if r.path == "/api/events"] == [
        "org.openedx.learning.auth.session.login.completed.v1"
    ]


@pytest.mark.parametrize(
    "url,key",
    [
        ("http://127.0.0.1:9", "k" * 24),  # nothing listens
        ("not a url", "k" * 24),
        ("http://127.0.0.1:9", ""),  # no key: the relay stays idle
    ],
)
def test_nothing_raises_into_send_event(relay, settings, url, key):
    settings.OPENEDX_WEBHOOKS_URL = url
    settings.OPENEDX_WEBHOOKS_API_KEY = key
    settings.DEBUG = True  # openedx-events then uses send(): a receiver's exception would reach the caller
    routing.reset()
    responses = COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment())
    assert not any(isinstance(r, Exception) for _, r in responses)
    assert tasks.dispatcher.drain(10)


def test_a_refused_event_is_not_retried(relay, settings, make_receiver):
    stub = make_receiver()
    stub.respond = lambda req: (
        (200, {"events": ["*"], "filters": [], "version": "1"}) if "routing" in req.path else (400, {"error": "bad"})
    )
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    routing.refresh()
    SESSION_LOGIN_COMPLETED.send_event(user=enrollment().user)
    stub.wait_for(2)
    assert tasks.dispatcher.drain(10)
    time.sleep(2.5)  # past the first retry's delay (1 s in the tests' settings)
    assert len([r for r in stub.requests if r.path == "/api/events"]) == 1


def test_thread_mode_retries_while_the_service_cannot_take_the_event(relay, settings, make_receiver):
    answers = iter([503, 429, 202])
    stub = make_receiver()
    stub.respond = lambda req: (
        (200, {"events": ["*"], "filters": [], "version": "1"}) if "routing" in req.path else (next(answers), {})
    )
    settings.OPENEDX_WEBHOOKS_URL = stub.url
    routing.reset()
    routing.refresh()

    SESSION_LOGIN_COMPLETED.send_event(user=enrollment().user)

    stub.wait_for(4, timeout=30)  # routing, then 503, 429 and 202 (retried after about 1 s and 2 s)
    posts = [r.json() for r in stub.requests if r.path == "/api/events"]
    assert len(posts) == 3
    assert len({p["metadata"]["id"] for p in posts}) == 1  # the same event each time: the service stores it once
