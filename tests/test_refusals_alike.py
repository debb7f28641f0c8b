"""Reads given odd arguments answer alike on every store, in bounded time and with bounded
messages: a subclass of ``str`` is text, a refusal names what is wrong without repeating a
huge argument whole, and a repeated authority is asked once."""

from __future__ import annotations

import enum
import itertools
from typing import Any

import pytest

import pilotflow as pf
from pilotflow.store import Store

from conftest import forward, nominate


class Id(str):
    """Text of a subclass of ``str``, as a web framework or a typed model may hand over."""


class Level(enum.StrEnum):
    """A ``str``-valued enumeration, as a typed backend may keep authority codes."""

    CITY = "371000"


def test_a_str_subclass_is_text_on_every_store(store: Store, make_run: Any) -> None:
    """Ids, filters and authority codes given as a ``str`` subclass (or a ``str`` enum) find
    what the plain text finds, on every store and through the run."""
    run = make_run(store)
    n = forward(run, nominate(run, 0).id)
    cid = run.campaign.id
    assert store.get(Id(n.id)) == n
    assert store.get_many([Id(n.id), n.id]) == [n, n]
    assert store.nominations(Id(cid), holder=Id(n.holder)) == [n]
    used = store.quota_used(cid, "371002", "enterprise")
    assert store.quota_used(Id(cid), Id("371002"), Id("enterprise")) == used
    assert run.get(Id(n.id)) == n
    assert run.quota(Level.CITY) == run.quota("371000")
    assert [x.id for x in run.nominations(holder=Level.CITY)] == [n.id]
    assert store.nominations_at(cid, "in_review", [((Id("371002"), "371000", "370000", "MIN"), 1)]) == (
        store.nominations_at(cid, "in_review", [(("371002", "371000", "370000", "MIN"), 1)])
    )


def test_arguments_are_checked_before_anything_is_looked_up_on_every_store(store: Store) -> None:
    """A campaign or state that is not text is refused even when there is nothing to look
    up (no groups; no list loaded), on every store."""
    with pytest.raises(pf.InvalidInput, match="campaign and state"):
        store.nominations_at(1, None, [])  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="list_id"):
        store.stored_list("c", None)  # type: ignore[arg-type]


def test_groups_are_bounded_and_many_hops_answer_alike(store: Store, make_run: Any) -> None:
    """``nominations_at`` refuses more than MAX_ITEMS groups at once (an endless iterator
    included), and 70,000 distinct hops (more than PostgreSQL takes as parameters) are
    answered like a few: the nominations whose (route, hop) is among them."""
    with pytest.raises(pf.InvalidInput, match="more than 100000"):
        store.nominations_at("c", "in_review", itertools.repeat((("370000",), 0)))
    run = make_run(store)
    n = nominate(run, 0)
    groups = [((n.route), h) for h in range(70_000)]
    assert [x.id for x in store.nominations_at(run.campaign.id, "in_review", groups)] == [n.id]


def test_a_refusal_does_not_repeat_a_huge_argument(store: Store, make_run: Any) -> None:
    """A 10 MB text where an authority, a state or an id belongs, and an order naming
    100,000 unknown ids, are refused with messages of a few hundred characters (the value
    shortened; the first ids named, then how many more), in English and Chinese."""
    run = make_run(store)
    big = "x" * 10_000_000
    for call in (
        lambda: run.quota(big),
        lambda: run.nominations(holder=big),
        lambda: run.nominations(state=big),
        lambda: store.get(big),
        lambda: run.rank("371002", "enterprise", order=[f"{i:0200d}" for i in range(100_000)]),
    ):
        with pytest.raises(pf.PilotflowError) as info:
            call()
        assert len(info.value.en) < 3_000, info.value.en[:200]
        assert len(info.value.zh) < 3_000, info.value.zh[:200]
    with pytest.raises(pf.InvalidInput) as info:
        run.rank("371002", "enterprise", order=[f"n{i}" for i in range(100_000)])
    assert "n9 and 99990 more" in info.value.en
    assert "等 100000 项" in info.value.zh


@pytest.mark.parametrize("authority", [None, 1, ["371000"]])
def test_an_authority_that_is_not_text_is_named_so(make_run: Any, authority: Any) -> None:
    """An authority code that is not text is refused as such, not as an unknown code that
    shows the value's repr."""
    with pytest.raises(pf.InvalidInput, match="must be text") as info:
        make_run().quota(authority)
    assert "文本" in info.value.zh


def test_a_repeated_authority_is_asked_once(make_run: Any) -> None:
    """``quota_table`` with an authority given 100,000 times answers its lines once, in the
    order the authorities were first given."""
    run = make_run()
    table = run.quota_table(["371000"] * 99_998 + ["370000", "371000"])
    half = len(table) // 2
    assert [line.authority for line in table] == ["371000"] * half + ["370000"] * half
