"""The SQL codec: its JSON text (the same as the standard library's, with pilotflow's
options), its moments (exact UTC microseconds and the offset) and event rows that read back
equal to the events written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotflow.domain.events import Event, FrozenData
from pilotflow.domain.records import Actor, Material
from pilotflow.store._json import compact_dumps, scanning_loads
from pilotflow.store.codec import (
    EVENT_COLUMNS,
    EventDecoder,
    decode_materials,
    dumps,
    event_values,
    loads,
    moment_of,
    moment_values,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_dumps_matches_json_dumps_with_the_same_options(value: Any) -> None:
    """dumps gives exactly json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    sort_keys=True): compact, keys sorted, Chinese text kept as is."""
    assert json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) == dumps(value)


@given(json_values)
def test_the_fallback_without_the_c_encoder_gives_the_same_text(value: Any) -> None:
    """Without CPython's private C encoder (another Python) the standard encoder is used,
    and the text is the same as the C encoder's."""
    assert dumps(value) == compact_dumps(c_encoder=False)(value)


def test_dumps_refuses_what_json_cannot_hold() -> None:
    """A value that is not JSON data raises TypeError naming its type (nothing half-written),
    with the C encoder and without it."""
    for encode in (dumps, compact_dumps(c_encoder=False)):
        with pytest.raises(TypeError, match="object"):
            encode({"x": object()})


def _loaded(read: Any, text: Any) -> tuple[str, Any]:
    """What ``read(text)`` gives: its value, or its error's type and message."""
    try:
        return "value", read(text)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)


@given(json_values)
def test_loads_reads_back_what_dumps_wrote(value: Any) -> None:
    """loads (the C scanner called directly) gives back the value dumps wrote, as
    json.loads does, and so does the fallback without the C scanner."""
    text = dumps(value)
    assert loads(text) == json.loads(text) == scanning_loads(c_scanner=False)(text)


@pytest.mark.parametrize(
    "text",
    ['{"a": 1}', ' {"a":1}', '{"a":1} ', '{"a":1}x', "[1,2]]", "", "   ", "nope", '{"a":}', '"\ud800"',
     "NaN", "1e400", '{"a":1,"a":2}', b'{"a":1}', 12, None, "[" * 5 + "]" * 5],
)  # fmt: skip
def test_loads_gives_what_json_loads_gives_or_raises_the_same_error(text: Any) -> None:
    """Whatever the text (whitespace around a value, something after it, no JSON at all,
    bytes, not a text), loads gives the value json.loads gives, or raises the same error
    with the same message: the C scanner is only a shortcut."""
    assert _loaded(loads, text) == _loaded(json.loads, text)


# -- moments and event rows (schema 4) ---------------------------------------------------

offsets = st.integers(min_value=-14 * 3600, max_value=14 * 3600).map(lambda s: timezone(timedelta(seconds=s)))
moments = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets)


@given(moments)
def test_a_moment_is_stored_as_exact_utc_microseconds_and_its_offset(at: datetime) -> None:
    """A moment becomes its UTC microseconds since 1970 (exactly, no float rounding) and its
    offset in seconds; both back give the same instant at the same offset, from the integer
    (SQLite) or from the aware datetime PostgreSQL returns."""
    instant, offset = moment_values(at)
    assert instant.micros == (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert instant == at
    assert offset == at.utcoffset().total_seconds()  # type: ignore[union-attr]
    for stored in (instant.micros, at.astimezone(UTC)):
        back = moment_of(stored, offset)
        assert (back, back.utcoffset(), back.isoformat()) == (at, at.utcoffset(), at.isoformat())


def _row(seq: int, campaign: str, e: Event) -> tuple[Any, ...]:
    """An event row as SQLite reads it back (the instant as its integer)."""
    values = event_values(campaign, e)
    assert EVENT_COLUMNS == ("campaign", "nomination_id", "version", "actor", "at", "at_offset", "shape",
                             "reason", "data")  # fmt: skip
    _, nid, version, actor, at, offset, shape, reason, data = values
    return (seq, nid, version, actor, at.micros, offset, shape, reason, data)


SHANGHAI = timezone(timedelta(hours=8))
PAPER = Material("application_form_paper", copies=3)
FILE = Material(
    "electronic_copy", filename="a.pdf", sha256="ab" * 32, size=431, media_type="application/pdf", pages=1
)


def _events() -> list[Event]:
    clerk = Actor("371002", "industry", "clerk")
    lists = (("serious_dishonesty", "2023-10-01"),)
    return [
        Event.of("n1", 1, "nominate", Actor.applicant("91371002MA3C5CJX0Q", "zhang"),
                 datetime(2023, 10, 17, 9, 0, 0, 123456, tzinfo=SHANGHAI), "new", "in_review", None, "371002",
                 ("actor_at_origin",), "sha256:1", lists,
                 data={"campaign": "c", "unit_name": "威海某养老科技有限公司", "route": ("371002", "371000"),
                       "materials": (PAPER, FILE)}),
        Event.of("n1", 2, "attach", clerk, datetime(2023, 10, 17, 1, 0, tzinfo=UTC), "in_review",
                 "in_review", "371002", "371002", (), "sha256:1", (), data={"material": FILE}),
        Event.of("n1", 3, "return", clerk, datetime(2023, 10, 17, 9, 5, tzinfo=SHANGHAI), "in_review",
                 "returned", "371002", "371002", ("actor_holds", "before_deadline"), "sha256:1", lists,
                 reason="材料不全 / incomplete", data=FrozenData({"department": "industry"})),
    ]  # fmt: skip


def test_event_rows_read_back_equal_field_by_field() -> None:
    """Every field of an event survives its row: id, version, action, actor, the moment with
    its offset, from/to state and holder (None too), verdicts, revision, list versions,
    reason, and data (materials without their empty fields come back whole, the route a
    tuple); decoded data is read-only."""
    decode = EventDecoder()
    for i, e in enumerate(_events()):
        back = decode(_row(i, "c", e))
        assert back == e
        assert (back.at.isoformat(), back.from_holder, back.lists) == (
            e.at.isoformat(),
            e.from_holder,
            e.lists,
        )
        assert dict(back.data) == dict(e.data)
        with pytest.raises(TypeError):
            back.data["x"] = 1  # type: ignore[index]


def test_shared_texts_are_decoded_once_and_shared() -> None:
    """Rows with the same actor, shape or data text share one decoded value (built once,
    not re-validated per row), and a material without its empty fields is written short."""
    decode = EventDecoder()
    e = _events()[2]
    first, second = decode(_row(1, "c", e)), decode(_row(2, "c", e))
    assert first.actor is second.actor
    assert first.shape is second.shape
    assert first.data is second.data
    nominate = event_values("c", _events()[0])[-1]
    assert '{"copies":3,"kind":"application_form_paper"}' in nominate
    assert "null" not in nominate


def test_schema_3_materials_decode_equal() -> None:
    """A material written whole by schema 3 (every field, nulls included) decodes equal to
    the same material written short."""
    whole = {"copies": 3, "duration": None, "filename": None, "kind": "application_form_paper",
             "media_type": None, "pages": None, "sha256": None, "size": None}  # fmt: skip
    assert (
        (PAPER,)
        == decode_materials([whole])
        == decode_materials([{"kind": "application_form_paper", "copies": 3}])
    )
