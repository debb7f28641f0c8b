"""Wrong types at the loader's door: a PilotflowError naming the argument, never a raw error.

The public loader functions (``load_campaign``, ``parse_campaign``, ``bundled_campaigns``,
``load_list``, ``UnitList.build``/``UnitList.empty``) are driven with arbitrary values — None,
numbers, bytes, lists, mappings, strings, paths of things that are not regular files — and
either succeed or raise a ``PilotflowError`` subclass; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pilotflow as pf
from pilotflow.files.lists import parse_list

CAMPAIGN_ID = "smart-health-elderly-care-2023"


class BytesPath:
    """A path-like object whose path is bytes (the loaders take text paths only)."""

    def __fspath__(self) -> bytes:
        return b"campaign.yaml"


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: pf.load_campaign(None), "source"),  # type: ignore[arg-type]
        (lambda: pf.load_campaign(5), "source"),  # type: ignore[arg-type]
        (lambda: pf.load_campaign(b"x.yaml"), "source"),  # type: ignore[arg-type]
        (lambda: pf.load_campaign(BytesPath()), "source"),  # type: ignore[arg-type]
        (lambda: pf.load_campaign(CAMPAIGN_ID, graph="bundled"), "graph"),  # type: ignore[arg-type]
        (lambda: pf.parse_campaign(None), "text"),  # type: ignore[arg-type]
        (lambda: pf.parse_campaign(b"id: x"), "text"),  # type: ignore[arg-type]
        (lambda: pf.parse_campaign("id: x", source=None), "source"),  # type: ignore[arg-type]
        (lambda: pf.load_list(None, "x"), "path"),  # type: ignore[arg-type]
        (lambda: pf.load_list(["a.csv"], "x"), "path"),  # type: ignore[arg-type]
        (lambda: pf.load_list("a.csv", None), "list_id"),  # type: ignore[arg-type]
        (lambda: pf.load_list("a.csv", "x", timezone=8), "timezone"),  # type: ignore[arg-type]
        (lambda: parse_list(None, "x"), "text"),  # type: ignore[arg-type]
        (lambda: pf.UnitList.build("x", 5), "entries"),  # type: ignore[arg-type]
        (lambda: pf.UnitList.build("x", [None]), "entries[0]"),  # type: ignore[list-item]
        (lambda: pf.UnitList.build("x", [], version=5), "version"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_type_is_refused_naming_the_argument(call: Callable[[], object], argument: str) -> None:
    """Each wrong-typed argument is an ``InvalidInput`` whose message starts with its name,
    in English and in Chinese."""
    with pytest.raises(pf.InvalidInput) as info:
        call()
    assert info.value.en.startswith(f"{argument} must be ")
    assert f"参数 {argument} 应为" in info.value.zh


def test_an_unknown_time_zone_for_a_list_is_refused() -> None:
    """``load_list(..., timezone="Mars/Base")`` is refused before the file is read."""
    with pytest.raises(pf.InvalidInput, match="IANA time zone name such as 'Asia/Shanghai', got 'Mars/Base'"):
        pf.load_list("absent.csv", "x", timezone="Mars/Base")


# -- anything at all -------------------------------------------------------------------


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """Paths of things that are not campaign files: a directory, a FIFO, a device, a binary
    file, a text file, a missing file (as str and as Path)."""
    folder = tmp_path_factory.mktemp("places")
    fifo = folder / "pipe.yaml"
    os.mkfifo(fifo)
    binary = folder / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 4)
    text = folder / "notes.csv"
    text.write_text("root:x:0:0:root:/root:/bin/bash\nhello: world\n", encoding="utf-8")
    paths: list[Any] = [folder, fifo, binary, text, folder / "absent.yaml", "/dev/zero", "/dev/null"]
    return [*paths, *(str(p) for p in paths)]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.text(max_size=30).filter(lambda s: not s.startswith(("/dev", "/proc", "/sys"))),
    st.just(CAMPAIGN_ID),
    st.just("Asia/Shanghai"),
    st.builds(object),
    st.builds(BytesPath),
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=3),
    ),
    max_leaves=6,
)


def accepted_or_pilotflow_error(call: Callable[[], object]) -> None:
    """Run ``call``: success and a ``PilotflowError`` are fine, any other exception fails."""
    with contextlib.suppress(pf.PilotflowError):
        call()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_loaders_take_anything_and_raise_only_pilotflow_errors(
    data: st.DataObject, places: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any value for any argument of a public loader function gives a result or a
    ``PilotflowError`` subclass — never a TypeError, AttributeError, KeyError, RecursionError...
    (relative paths are looked up in an empty directory)."""
    monkeypatch.chdir(tmp_path)
    value = st.one_of(ANYTHING, st.sampled_from(places))
    a, b, c = data.draw(value), data.draw(value), data.draw(value)
    calls: list[Callable[[], object]] = [
        lambda: pf.load_campaign(a),
        lambda: pf.load_campaign(a, graph=b),
        lambda: pf.parse_campaign(a),
        lambda: pf.parse_campaign(a, source=b, graph=c),
        lambda: pf.bundled_campaigns(),
        lambda: pf.load_list(a, b),
        lambda: pf.load_list(a, b, timezone=c),
        lambda: parse_list(a, b, source=c),
        lambda: pf.UnitList.build(a, b),
        lambda: pf.UnitList.build(a, b, version=c),
        lambda: pf.UnitList.empty(a),
    ]
    for call in calls:
        accepted_or_pilotflow_error(call)
