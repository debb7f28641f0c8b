"""What a campaign document may cost: aliases, nesting and size are bounded while composing.

A "billion laughs" alias bomb, an alias cycle, 900 nested brackets, an integer literal of
thousands of digits, explicit tags that fail to convert: each is a ``CampaignFileError``
(never a ``RecursionError``, a ``ValueError`` or a hang), and the work done before refusing
is bounded by the size of the text, not by the expansion of its aliases. Every test runs
with each YAML loader available (libyaml's parser, and the pure-Python one).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import pilotflow as pf
from pilotflow.files.campaign_file import MAX_DEPTH, MAX_NODES, MAX_RULES, parse_campaign, safe_yaml

CAMPAIGN_ID = "smart-health-elderly-care-2023"
BUNDLED = Path(pf.__file__).parent / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml"
DOCS = Path(__file__).parent.parent / "docs" / "campaign-format.md"
MINIMAL = """\
id: mini
title: {en: Mini, zh: 小型遴选}
year: 2023
timezone: Asia/Shanghai
levels: [district, city, province, ministry]
departments: {industry: {en: industry, zh: 工业和信息化}}
unit_types: {enterprise: {en: enterprise, zh: 企业}}
"""


@pytest.fixture(params=[cls.__name__ for cls in safe_yaml._LOADERS])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each YAML loader in turn (libyaml's parser when installed, the pure-Python one)."""
    chosen = next(cls for cls in safe_yaml._LOADERS if cls.__name__ == request.param)
    monkeypatch.setattr(safe_yaml, "_LOADERS", (chosen,))
    return str(request.param)


def refused(text: str) -> pf.CampaignFileError:
    """The error ``parse_campaign`` refuses ``text`` with."""
    with pytest.raises(pf.CampaignFileError) as info:
        parse_campaign(text, source="hostile.yaml")
    assert "hostile.yaml" == info.value.source
    return info.value


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic alias bomb: each level a list of ``width`` aliases of the level below."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for below, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{below}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the key path of every node the duplicate-key and size check walks into."""
    paths: list[str] = []
    real = safe_yaml._Document._children

    def counting(self: Any, node: yaml.Node, path: str) -> Any:
        paths.append(path)
        return real(self, node, path)

    monkeypatch.setattr(safe_yaml._Document, "_children", counting)
    return paths


def test_billion_laughs_is_refused_after_walking_each_node_once(loader: str, walked: list[str]) -> None:
    """The classic alias bomb (under 1 KB of text, 10**9 "lol" once expanded) is refused as too
    large, and the check walks each of its ~100 distinct nodes once: shared subtrees are not
    walked again."""
    text = billion_laughs()
    assert len(text.encode()) < 1000
    error = refused(text)
    assert "more than 50,000 nodes" in error.problem
    assert "once aliases are expanded" in error.problem
    assert len(walked) <= 100


def test_shared_aliases_within_the_limits_load(loader: str) -> None:
    """Aliases are allowed: a selector written once and shared by two rules loads."""
    text = MINIMAL + (
        "quotas:\n"
        "  - {name: a, recommender: &provinces {levels: [province]}, limits: {enterprise: 1}}\n"
        "  - {name: b, recommender: *provinces, total: 2}\n"
    )
    quotas = parse_campaign(text).quotas
    assert quotas[0].recommender == quotas[1].recommender


def test_a_duplicate_key_inside_a_shared_mapping_is_reported_once(loader: str) -> None:
    """A key given twice inside an anchored mapping is refused at the first path it is seen."""
    text = "a: &m {k: 1, k: 2}\nb: *m\n"
    error = refused(text)
    assert "a.k" == error.path
    assert "duplicate key 'k'" in error.problem


def test_an_alias_cycle_is_refused(loader: str) -> None:
    """A node that contains an alias of itself is refused as a cycle, not walked forever."""
    error = refused("a: &a [1, *a]\n")
    assert "a[1]" == error.path
    assert "(a cycle)" in error.problem


@pytest.mark.parametrize(
    "text",
    [
        "[" * 900,
        "a: " + "{a: " * 900,
        "".join(" " * i + "-\n" for i in range(0, 1800, 2)),
        "a: &a " + "[" * 20 + "1" + "]" * 20 + "\nb: &b " + "[*a, " * 20 + "1" + "]" * 20 + "\n",
    ],
    ids=["flow-lists", "flow-mappings", "block-lists", "aliases"],
)
def test_deep_nesting_is_refused(loader: str, text: str) -> None:
    """900 nested brackets (or mappings, or block lists, or aliases nesting through each other)
    are refused as nested too deep, not with a RecursionError."""
    error = refused(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in error.problem


def test_nesting_up_to_the_limit_is_composed(loader: str) -> None:
    """A document exactly ``MAX_DEPTH`` deep passes the depth check (and is refused only for
    not being a campaign)."""
    text = "a: " + "[" * (MAX_DEPTH - 2) + "1" + "]" * (MAX_DEPTH - 2) + "\n"
    assert "unknown key 'a'" in refused(text).problem


def test_too_many_nodes_are_refused_while_composing(loader: str) -> None:
    """A plain document of more than ``MAX_NODES`` nodes is refused while it is composed,
    naming the line it got to."""
    text = "a: [" + ", ".join(["1"] * MAX_NODES) + "]\n"
    error = refused(text)
    assert f"more than {MAX_NODES:,} nodes" in error.problem
    assert "at line 1, column" in error.problem


def test_aliases_of_a_long_string_are_bounded_by_their_expanded_text(loader: str) -> None:
    """Few nodes, but an alias of a 500,000-character string used 100 times is 50 Mi
    characters once expanded (the revision hash would dump it all): refused."""
    text = "a: &s '" + "x" * 500_000 + "'\nb: [" + ", ".join(["*s"] * 100) + "]\n"
    assert "MiB of text once aliases are expanded" in refused(text).problem


@pytest.mark.parametrize(
    "literal",
    ["1" * 5000, "1:" * 20_000 + "1", "0x" + "f" * 5000],
    ids=["decimal", "sexagesimal", "hex"],
)
def test_a_huge_integer_literal_is_refused_before_it_is_converted(loader: str, literal: str) -> None:
    """An integer literal of thousands of characters (Python would refuse to convert it, or a
    base-60 one would take minutes) is refused from its length."""
    error = refused(f"year: {literal}\n")
    assert "an integer written with more than 64 characters" in error.problem
    assert "line 1, column 7" in error.problem


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("year: !!float abc\n", "a value cannot be read"),
        ("year: !!int abc\n", "line 1, column 7: 'abc' is not a number written in decimal"),
        ("year: !!timestamp 2023-13-45\n", "a value cannot be read"),
    ],
)
def test_explicit_tags_that_fail_to_convert_are_refused(loader: str, text: str, says: str) -> None:
    """An explicit tag whose value does not convert is a CampaignFileError, not a raw error
    (a text given as an integer is said not to be a decimal number, where it stands)."""
    assert says in refused(text).problem


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("quotas", "{name: q, recommender: {codes: ['110000']}}"),
        ("hops", "{name: h, sender: {codes: ['110000']}, receiver: {codes: ['110000']}}"),
        ("reporting", "{sender: {codes: ['110000']}, to: MIN}"),
    ],
)
def test_too_many_rules_are_refused(kind: str, rule: str) -> None:
    """More than ``MAX_RULES`` quota, hop or reporting rules are refused at the list: every
    route of the graph is checked against each of them."""
    error = refused(MINIMAL + f"{kind}: [" + ", ".join([rule] * (MAX_RULES + 1)) + "]\n")
    assert kind == error.path
    assert f"more than {MAX_RULES} rules ({MAX_RULES + 1})" == error.problem


def test_both_loaders_read_the_bundled_campaign_and_the_docs_example_alike() -> None:
    """libyaml's parser and the pure-Python one give the same documents (same revisions)."""
    example = re.search(
        r"## A short complete example.*?```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S
    )
    assert example is not None
    texts = [BUNDLED.read_text(encoding="utf-8"), example.group(1)]
    revisions = set()
    for cls in safe_yaml._LOADERS:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(safe_yaml, "_LOADERS", (cls,))
            revisions.add(tuple(parse_campaign(text).revision for text in texts))
    assert 1 == len(revisions)


def test_a_control_character_is_a_clean_error_with_every_loader(loader: str) -> None:
    """A control character (here U+0001) in a campaign text is refused as a campaign file
    error with either YAML loader, never a raw parser exception: the pure-Python reader
    checks the characters while it is being made, before parsing starts."""
    error = refused(MINIMAL + "note: a\x01b\n")
    assert "control character" in error.en
    assert "控制字符" in error.zh
