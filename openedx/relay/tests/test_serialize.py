"""serialize.to_json, value by value: each type's converter is found once and then looked up by type (the request path
of every routed event), so a value of a type seen before must convert exactly as the first one did."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import io
import math
import uuid

import attrs
from opaque_keys.edx.keys import CourseKey, UsageKey

from openedx_webhooks_relay.serialize import attrs_to_json, to_json


class Color(enum.Enum):
    RED = "red"
    NESTED = dt.date(2025, 1, 2)


class Level(enum.IntEnum):
    HIGH = 3


class Mode(enum.StrEnum):
    AUDIT = "audit"


@attrs.frozen
class Inner:
    key: CourseKey
    when: dt.datetime | None = None


@attrs.frozen
class Outer:
    name: str
    inner: Inner
    tags: tuple = ()
    extra: dict = attrs.Factory(dict)


class Named(io.BytesIO):
    name = "signature.png"


class Thing:
    def __str__(self) -> str:
        return "a thing"


COURSE = CourseKey.from_string("course-v1:OpenedX+Demo+2025")
BLOCK = "block-v1:OpenedX+Demo+2025+type@problem+block@p1"

CASES = [
    (None, None),
    (True, True),
    (7, 7),
    ("text", "text"),
    (1.5, 1.5),
    (math.nan, None),
    (math.inf, None),
    (-math.inf, None),
    (COURSE, "course-v1:OpenedX+Demo+2025"),
    (UsageKey.from_string(BLOCK), BLOCK),
    (dt.datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=dt.UTC), "2025-03-14T15:09:26.535897Z"),
    (dt.datetime(2025, 3, 14, 15, 9, 26), "2025-03-14T15:09:26Z"),  # naive: taken as UTC
    (dt.datetime(2025, 3, 14, 16, 9, 26, tzinfo=dt.timezone(dt.timedelta(hours=1))), "2025-03-14T15:09:26Z"),
    (dt.date(2025, 3, 14), "2025-03-14"),
    (dt.time(9, 30), "09:30:00"),
    (dt.timedelta(minutes=2), 120.0),
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    (Color.RED, "red"),
    (Color.NESTED, "2025-01-02"),
    (Level.HIGH, Level.HIGH),  # an int already: JSON writes 3
    (Mode.AUDIT, Mode.AUDIT),  # a str already: JSON writes "audit"
    (decimal.Decimal("1.10"), "1.10"),
    ({"a": COURSE, 2: [1, 2]}, {"a": "course-v1:OpenedX+Demo+2025", "2": [1, 2]}),
    ([COURSE, (1, 2)], ["course-v1:OpenedX+Demo+2025", [1, 2]]),
    (frozenset({"x"}), ["x"]),
    (b"caf\xc3\xa9", "café"),
    (b"\xff\x00", "/wA="),
    (bytearray(b"ab"), "ab"),
    (memoryview(b"ab"), "ab"),
    (Named(b"\x89PNG"), "signature.png"),  # a file: its name, never its bytes
    (Thing(), "a thing"),
]


def test_every_kind_of_value_converts_the_same_the_first_time_and_after() -> None:
    for value, expected in CASES:
        first, again = to_json(value), to_json(value)
        assert first == expected, (value, first)
        assert again == first, value


def test_attrs_classes_convert_field_by_field_nested() -> None:
    outer = Outer("n", Inner(COURSE, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)), ("a", COURSE), {"k": Color.RED})
    expected = {
        "name": "n",
        "inner": {"key": "course-v1:OpenedX+Demo+2025", "when": "2025-01-01T00:00:00Z"},
        "tags": ["a", "course-v1:OpenedX+Demo+2025"],
        "extra": {"k": "red"},
    }
    for _ in range(2):
        assert to_json(outer) == expected
        assert attrs_to_json(outer) == expected
    assert to_json(Inner(COURSE)) == {"key": "course-v1:OpenedX+Demo+2025", "when": None}
