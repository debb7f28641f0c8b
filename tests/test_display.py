"""Pictures and tables for analysts (pilotflow.display): diagrams as Mermaid, DOT and SVG;
records as escaped HTML in a notebook; collections as DataFrames; progress callbacks."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow import display as pfd
from pilotflow.domain.machine import TRANSITION_TABLE
from pilotflow.domain.names import ACTION_ZH, FINAL_STATES, STATE_ZH, STATES

from conftest import (
    CAMPAIGN_ID,
    MIN,
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    forward,
    nominate,
    shanghai,
    unit_code,
)

HOSTILE = '<script>alert("x")</script> & 威海'
SVG = "{http://www.w3.org/2000/svg}"


def transitions() -> set[tuple[str, str]]:
    """Every (source, destination) pair of the machine's table (destination None: stays)."""
    out = set()
    for t in TRANSITION_TABLE:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for s in sources:
            out.add((s, t["dest"] or s))
    return out


def mermaid_edges(text: str) -> set[tuple[str, str]]:
    """The (source, target) pairs of Mermaid ``a --> b`` lines, the start and end marks left out."""
    found = set()
    for line in text.splitlines():
        m = re.fullmatch(r"\s*(\S+) --> (\S+)(?: : .*)?", line)
        if m and "[*]" not in m.groups():
            found.add((m.group(1), m.group(2)))
    return found


def parse_svg(text: str) -> ET.Element:
    """The SVG parsed as XML (malformed markup or an unescaped ``<`` fails here)."""
    return ET.fromstring(text)


def svg_texts(text: str) -> list[str]:
    return [t.text or "" for t in parse_svg(text).iter(f"{SVG}text")]


# -- the state machine ----------------------------------------------------------------------


def test_state_machine_mermaid_has_every_state_and_transition(campaign: pf.Campaign) -> None:
    """The Mermaid state diagram declares every state with its Chinese name, marks the initial
    and final states, and has an edge for every transition of the machine's table."""
    text = pfd.state_machine(campaign).mermaid()
    assert text.startswith('---\ntitle: "状态机：')
    assert "\n---\nstateDiagram-v2\n" in text
    for s in STATES:
        assert f'state "{STATE_ZH[s]}<br/>{s}" as {s}' in text
    assert "[*] --> new" in text
    for s in FINAL_STATES:
        assert f"{s} --> [*]" in text
    assert transitions() == mermaid_edges(text)


def test_state_machine_labels_name_actions_and_guards_in_chinese(campaign: pf.Campaign) -> None:
    """Edge labels are the action's Chinese name, the branch, and the guards' short Chinese
    names: no guard repr (``<guard ...>``) and no raw guard code."""
    d = pfd.state_machine(campaign)
    labels = [e.label for e in d.edges]
    assert any(x.startswith("推荐（报至最高一级）\n本级办理·未过报送期限") for x in labels)
    assert all("<guard" not in x and "stamps_complete" not in x for x in labels)
    assert {e.label.split("\n")[0].split("（")[0] for e in d.edges} <= set(ACTION_ZH.values())
    english = pfd.state_machine(campaign, lang="en", guards=False)
    assert "recommend (to the top)" in {e.label for e in english.edges}


def test_every_guard_of_the_bundled_campaigns_has_a_label() -> None:
    """Every guard the bundled campaigns' machines check has a short English and Chinese label."""
    for cid in pf.bundled_campaigns():
        wf = pfd.diagrams._workflow(pf.load_campaign(cid))
        for s in STATES:
            for action in wf.actions_from(s):
                for t in wf.transitions(s, action):
                    assert set(t.codes) <= set(pfd.GUARD_LABELS), (cid, t.codes)


def test_state_machine_dot_is_valid(campaign: pf.Campaign, tmp_path: Path) -> None:
    """The DOT text is a digraph with a node per state and an edge per transition (loops of
    one state merged into one); where Graphviz is installed, ``dot`` renders it to SVG."""
    d = pfd.state_machine(campaign)
    text = d.dot()
    assert text.startswith('digraph "状态机')
    assert text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    for s in STATES:
        assert f'"{s}" [label="{STATE_ZH[s]}\\n{s}"' in text
    edges = set(re.findall(r'^\s*"(\w+)" -> "(\w+)"', text, re.MULTILINE))
    assert transitions() == edges
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed: the DOT text was checked structurally only")
    done = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=False, timeout=60)
    assert 0 == done.returncode, done.stderr
    assert parse_svg(d.svg("graphviz")).tag == f"{SVG}svg"


def test_builtin_svg_of_the_state_machine_is_well_formed(campaign: pf.Campaign) -> None:
    """The built-in drawing (no Graphviz needed) is well-formed SVG with a box per state and
    a numbered legend line per labelled edge."""
    d = pfd.state_machine(campaign)
    svg = d.svg("builtin")
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    assert len(STATES) == sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "node")
    texts = svg_texts(svg)
    assert "审核推荐中" in texts
    assert any(t.startswith("1. 未申报 → 审核推荐中：申报") for t in texts)


def test_svg_engine_is_checked(campaign: pf.Campaign) -> None:
    """An unknown SVG engine is refused in English and Chinese."""
    with pytest.raises(pf.InvalidInput, match="engine") as info:
        pfd.state_machine(campaign).svg("inkscape")
    assert "engine 参数" in info.value.zh


def test_diagram_of_something_else_is_refused() -> None:
    """A diagram of something that is not a campaign or a run is an InvalidInput, not a
    TypeError or AttributeError."""
    with pytest.raises(pf.InvalidInput):
        pfd.state_machine("smart-health-elderly-care-2023")  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput):
        pfd.state_machine(pf.load_campaign("smart-health-elderly-care-2023"), lang="fr")


@pytest.mark.parametrize("where", ["folder", "missing folder", "nul", "bytes"])
def test_saving_where_no_file_can_be_is_invalid_input_and_leaves_nothing(
    campaign: pf.Campaign, tmp_path: Path, where: str
) -> None:
    """``Diagram.save`` to a folder, into a folder that does not exist, to a name with a NUL or
    to bytes is InvalidInput naming ``path`` (not an OSError or ValueError), and no partial
    file is left."""
    target: object = {
        "folder": tmp_path / "taken.svg",
        "missing folder": tmp_path / "none" / "x.svg",
        "nul": f"{tmp_path}/a\x00.svg",
        "bytes": b"x.svg",
    }[where]
    (tmp_path / "taken.svg").mkdir()
    with pytest.raises(pf.InvalidInput, match="path"):
        pfd.state_machine(campaign).save(target)  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["taken.svg"]
    assert list((tmp_path / "taken.svg").iterdir()) == []


BAD_DRAWINGS = {
    "nodes none": ({"nodes": None}, "nodes"),
    "nodes text": ({"nodes": "ab"}, "nodes"),
    "node not a node": ({"nodes": ("a",)}, r"nodes\[0\]"),
    "id none": ({"nodes": (pfd.Node(None, "x"),)}, r"nodes\[0\]\.id"),  # type: ignore[arg-type]
    "label none": ({"nodes": (pfd.Node("a", None),)}, r"nodes\[0\]\.label"),  # type: ignore[arg-type]
    "kind markup": ({"nodes": (pfd.Node("a", "x", "x\nclick a call alert()"),)}, r"nodes\[0\]\.kind"),
    "id twice": ({"nodes": (pfd.Node("a", "x"), pfd.Node("a", "y"))}, r"nodes\[1\]\.id"),
    "no such group": ({"nodes": (pfd.Node("a", "x", group="g"),)}, r"nodes\[0\]\.group"),
    "edge to nothing": ({"edges": (pfd.Edge("a", "b"),)}, r"edges\[0\]\.target"),
    "edge kind": ({"edges": (pfd.Edge("a", "a", kind="dotted"),)}, r"edges\[0\]\.kind"),
    "title": ({"title": 5}, "title"),
    "direction": ({"direction": "LR\nclick"}, "direction"),
    "layout": ({"layout": "circle"}, "layout"),
}


@pytest.mark.parametrize("case", BAD_DRAWINGS)
def test_a_diagram_built_by_hand_is_checked_part_by_part(case: str) -> None:
    """A ``Diagram`` built of the wrong things (no tuple of nodes, a node of no kind it draws,
    an edge to a node it does not hold, a kind or direction that would write Mermaid of its
    own...) is InvalidInput naming the part, not a TypeError,
    AttributeError or KeyError when drawn; a good one made of lists draws."""
    change, named = BAD_DRAWINGS[case]
    parts = {"title": "t", "nodes": (pfd.Node("a", "x"),), "edges": (), **change}
    with pytest.raises(pf.InvalidInput, match=named):
        pfd.Diagram(**parts)
    good = pfd.Diagram("t", [pfd.Node("a", HOSTILE)], [pfd.Edge("a", "a", HOSTILE)])
    assert "<script>" not in good.svg("builtin")
    assert HOSTILE in svg_texts(good.svg("builtin"))


def test_control_characters_of_a_campaign_file_are_shown_as_escapes(tmp_path: Path) -> None:
    """A name holding control, bidirectional or surrogate characters (a campaign file may give
    them through YAML escapes) is drawn with them as escapes (``\\x1b``): the SVG is XML, every
    file type saves as UTF-8, the HTML and the console repr carry no raw escape sequence."""
    text = (resources.files("pilotflow") / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
    title = "zh: 2023 年智慧健康养老应用试点示范遴选及 2017—2019 年（前三批）试点示范复核\n"
    assert title in text
    text = text.replace(title, 'zh: "\\e[2J\\u202e\\x01遴选"\n', 1)
    campaign = pf.parse_campaign(text)
    assert "\x1b[2J" in campaign.title.zh
    diagram = pfd.state_machine(campaign)
    assert "\\x1b[2J\\u202e\\x01遴选" in parse_svg(diagram.svg("builtin")).findtext(f"{SVG}title")
    for suffix in (".svg", ".dot", ".mmd", ".html"):
        saved = diagram.save(tmp_path / f"machine{suffix}").read_text(encoding="utf-8")
        assert "\x1b" not in saved
        assert "\u202e" not in saved
    drawn = pfd.Diagram("t", (pfd.Node("a", "\ud800\x1b"),), ())
    assert svg_texts(drawn.svg("builtin")) == ["\\ud800\\x1b"]
    for shown in (repr(campaign), campaign._repr_html_()):  # type: ignore[attr-defined]
        assert not {"\x1b", "\u202e", "\x01"} & set(shown)
        assert "\\x1b[2J" in shown


def test_console_reprs_keep_a_value_on_its_line() -> None:
    """A carriage return or line break in a name a campaign file gives (an added authority's)
    is shown as an escape by every console repr that shows the name: a one-line repr (route
    plan, hop, diagram) stays one line, a view's repr keeps one line per item, and no raw
    carriage return can overwrite a printed line."""
    source = resources.files("pilotflow") / "data" / "campaigns" / "hebei-sme-service-platforms-2020.yaml"
    text = source.read_text("utf-8")
    assert "name: 雄安新区\n" in text
    campaign = pf.parse_campaign(text.replace("name: 雄安新区\n", 'name: "雄安\\r新区\\n"\n', 1))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign))
    plan = run.workflow.plan(run.workflow.route("XIONGAN"))
    one_line = [repr(plan), repr(plan.hops[0]), repr(pfd.Diagram("雄安\r新区\n", (), ()))]
    assert "<RoutePlan 雄安\\r新区\\n(XIONGAN) → 河北省(130000)>" == one_line[0]
    assert "<HopPlan 0: 雄安\\r新区\\n(XIONGAN) → 河北省>" == one_line[1]
    assert "<Diagram 雄安\\r新区\\n: 0 nodes, 0 edges>" == one_line[2]
    table = repr(run.quota_table(["XIONGAN"]))
    assert [
        "<QuotaTable: 2 quota lines",
        "  雄安\\r新区\\n (XIONGAN) public_service_platform: no limit",
        "  雄安\\r新区\\n (XIONGAN) *: 0/1>",
    ] == table.split("\n")
    assert not any("\r" in shown for shown in [*one_line, table])


def test_the_display_keeps_line_breaks_and_escapes_as_the_command_line_does() -> None:
    """A diagram's texts keep their tabs and line breaks (a multi-line label) while control
    characters, bidirectional characters and lone surrogates become escapes, by the one rule
    the command line uses (``pilotflow.inputs.escaped``), which escapes the line characters too."""
    from pilotflow.cli.demo import printable
    from pilotflow.inputs import escaped

    text = "第一行\t甲\n第二行\x1b[2J\u202e\ud800\x0b"
    drawn = pfd.Diagram(text, (pfd.Node("a", text),), ())
    kept = "第一行\t甲\n第二行\\x1b[2J\\u202e\\ud800\\x0b"
    assert [kept, kept] == [drawn.title, drawn.nodes[0].label]
    assert kept == escaped(text, keep_lines=True)
    assert "第一行\\t甲\\n第二行\\x1b[2J\\u202e\\ud800\\x0b" == escaped(text) == printable(text)
    with pytest.raises(pf.InvalidInput, match="text must be a string"):
        escaped(b"x")  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="keep_lines must be True or False"):
        escaped("x", keep_lines="yes")  # type: ignore[arg-type]


# -- authorities and routes ----------------------------------------------------------------


def test_province_subtree_is_grouped_by_city(run: pf.CampaignRun) -> None:
    """河北省's 150-odd authorities are drawn as one box per city holding its districts and
    counties: every authority is in the Mermaid text, DOT clusters and the SVG, each under its
    own city."""
    d = pfd.authority_tree(run, "河北省")
    cities = run.graph.children("130000")
    below = [c for city in cities for c in run.graph.children(city.code)]
    assert len(cities) + len(below) >= 150
    assert len(cities) + len(below) + 1 == len(d.nodes)
    groups = {g.id: g.label for g in d.groups}
    for city in cities:
        for c in run.graph.children(city.code):
            node = next(n for n in d.nodes if n.id == c.code)
            assert groups[node.group].startswith(city.name)  # type: ignore[index]
    mermaid = d.mermaid()
    assert mermaid.count("subgraph ") == len(d.groups) == mermaid.count("\n    end")
    assert 'a130100["石家庄市（本级）"]' in mermaid
    assert len(d.groups) == d.dot().count("subgraph cluster_")
    texts = svg_texts(d.svg())
    assert all(c.name in texts for c in below)


def test_city_subtree_and_depth(run: pf.CampaignRun) -> None:
    """A city's subtree lists its districts; depth 1 of a province lists its cities only; a
    depth other than 1 or 2 is refused."""
    d = pfd.authority_tree(run, WEIHAI)
    assert {c.code for c in run.graph.children(WEIHAI)} == {n.id for n in d.nodes[1:]}
    shallow = pfd.authority_tree(run, SHANDONG, depth=1)
    assert {c.code for c in run.graph.children(SHANDONG)} == {n.id for n in shallow.nodes[1:]}
    with pytest.raises(pf.InvalidInput):
        pfd.authority_tree(run, SHANDONG, depth=3)
    with pytest.raises(pf.UnknownAuthority):
        pfd.authority_tree(run, "no such place")


def test_authority_tree_draws_the_columns_it_is_given(run: pf.CampaignRun) -> None:
    """``authority_tree(..., columns=n)`` lays each city's box out n nodes a line: one column
    makes the drawing taller and narrower than twelve (the argument was checked, then
    ignored); a Diagram's ``columns`` out of 1 to 12 is refused."""

    def size(columns: int) -> tuple[float, float]:
        root = parse_svg(pfd.authority_tree(run, SHANDONG, columns=columns).svg("builtin"))
        width, height = root.get("viewBox", "").split()[2:]
        return float(width), float(height)

    narrow, wide = size(1), size(12)
    assert narrow[0] < wide[0]
    assert narrow[1] > wide[1]
    with pytest.raises(pf.InvalidInput, match="columns"):
        pfd.Diagram("t", (pfd.Node("a", "x"),), (), columns=0)


def test_route_diagram_names_every_hop(run: pf.CampaignRun) -> None:
    """The route diagram of 环翠区 has its four hops in order, with levels, quotas and
    deadlines (in the campaign's time zone)."""
    d = pfd.route(run, "环翠区")
    assert [WEIHAI_DISTRICT, WEIHAI, SHANDONG, MIN] == [n.id for n in d.nodes]
    assert [(WEIHAI_DISTRICT, WEIHAI), (WEIHAI, SHANDONG), (SHANDONG, MIN)] == [
        (e.source, e.target) for e in d.edges
    ]
    assert "名额：" in d.nodes[1].label
    assert "企业 3" in d.nodes[1].label
    assert all("截止 2023-" in e.label for e in d.edges)
    assert "flowchart LR" in d.mermaid()


# -- one nomination --------------------------------------------------------------------------


def test_nomination_path_shows_where_it_is_and_what_it_waits_for(run: pf.CampaignRun) -> None:
    """A nomination forwarded to 威海市 is drawn with 环翠区 done, 威海市 current, and a note
    listing the explain reasons it waits for (the city's stamps)."""
    n = forward(run, nominate(run, 1).id)
    d = pfd.nomination_path(run, n)
    kinds = {node.id: node.kind for node in d.nodes}
    assert ("done", "current", "") == (kinds[WEIHAI_DISTRICT], kinds[WEIHAI], kinds[SHANDONG])
    note = next(node for node in d.nodes if node.id == "waiting")
    assert note.label.startswith("推荐前尚需：")
    assert "联合盖章未完成" in note.label
    assert "waiting" in d.svg("builtin")


# -- reprs ---------------------------------------------------------------------------------------


def test_user_text_is_escaped_everywhere(run: pf.CampaignRun, tmp_path: Path) -> None:
    """A unit name carrying markup is escaped in every HTML and SVG look (the nomination, the
    lists, the history, the path) and made safe in Mermaid and DOT."""
    code = unit_code(7)
    n = run.nominate(
        pf.Actor.applicant(code, "a"), unit_code=code, unit_name=HOSTILE, unit_type="enterprise",
        scenario="smart_nursing_homes", origin=WEIHAI_DISTRICT,
    )  # fmt: skip
    looks = [
        n._repr_html_(),  # type: ignore[attr-defined]
        run.nominations()._repr_html_(),  # type: ignore[attr-defined]
    ]
    assert "<script>" not in run.history(n)._repr_html_()  # type: ignore[attr-defined]
    path = pfd.nomination_path(run, n)
    looks += [path._repr_html_(), path.svg("builtin")]
    for text in looks:
        assert "<script>" not in text
        assert "&lt;script&gt;" in text
    assert f"申报路径：{HOSTILE}" == parse_svg(path.svg("builtin")).findtext(f"{SVG}title")
    mermaid = path.mermaid()
    assert "<script>" not in mermaid
    assert "#lt;script#gt;" in mermaid
    dot = path.dot()
    assert '\\"x\\"' in dot
    saved = path.save(tmp_path / "path.html")
    assert "<script>" not in saved.read_text(encoding="utf-8")


def test_reprs_are_html_tables_with_chinese(run: pf.CampaignRun) -> None:
    """Campaign, route plan, authority, nomination, history, quota table, selection, position
    and a refusal each show as an HTML table in a notebook, in Chinese."""
    n = forward(run, nominate(run, 1).id)
    looks = {
        "campaign": run.campaign._repr_html_(),  # type: ignore[attr-defined]
        "route": run.workflow.plan(n.route)._repr_html_(),  # type: ignore[attr-defined]
        "authority": run.graph[WEIHAI]._repr_html_(),  # type: ignore[attr-defined]
        "graph": run.graph._repr_html_(),  # type: ignore[attr-defined]
        "nomination": n._repr_html_(),  # type: ignore[attr-defined]
        "history": run.history(n)._repr_html_(),  # type: ignore[attr-defined]
        "event": run.history(n)[0]._repr_html_(),  # type: ignore[attr-defined]
        "quota": run.quota_table([WEIHAI])._repr_html_(),  # type: ignore[attr-defined]
        "quota line": run.quota(WEIHAI)[0]._repr_html_(),  # type: ignore[attr-defined]
        "position": run.position(n)._repr_html_(),  # type: ignore[attr-defined]
    }
    selection = run.select(pf.Actor(WEIHAI, "industry", "lead"), "enterprise", dry_run=True)
    looks["selection"] = selection._repr_html_()  # type: ignore[attr-defined]
    try:
        run.recommend(pf.Actor(WEIHAI, "industry", "lead"), n)
    except pf.ActionRefused as refused:
        looks["refusal"] = refused._repr_html_()  # type: ignore[attr-defined]
    for what, text in looks.items():
        assert "<table" in text, what
    assert "审核推荐中" in looks["nomination"]
    assert "威海市" in looks["history"]
    assert "推荐" in looks["history"]
    assert "联合盖章未完成" in looks["refusal"]
    assert "试算" in looks["selection"]
    assert "环翠区 → 威海市 → 山东省" in looks["route"]


def test_console_reprs_are_compact(run: pf.CampaignRun) -> None:
    """A campaign, a route plan, an event and a selection print in one line on a console;
    a nomination keeps its full repr (command fingerprints are made of it)."""
    n = nominate(run, 1)
    assert repr(run.campaign).startswith("<Campaign smart-health-elderly-care-2023 (2023)")
    assert "\n" not in repr(run.campaign)
    assert len(repr(run.campaign)) < 200
    assert "<RoutePlan 环翠区(371002) → 威海市(371000) → 山东省(370000)" in repr(run.workflow.plan(n.route))
    assert re.fullmatch(
        r"<Event \w+ v1 nominate by .*: new@None → in_review@371002>", repr(run.history(n)[0])
    )
    selection = run.select(pf.Actor(WEIHAI_DISTRICT, "industry", "lead"), "enterprise", dry_run=True)
    assert "dry run" in repr(selection)
    assert repr(n).startswith("Nomination(id=")


# -- collections and frames ----------------------------------------------------------------------


def test_collections_are_still_lists(run: pf.CampaignRun) -> None:
    """The queries still return lists (equal to plain lists, indexable), now tabulating ones;
    the whole log (``run.events()``) is a view read from the store as it is iterated, that
    answers as the list of its events does (equal to it, indexable, counted)."""
    n = nominate(run, 1)
    nominations = run.nominations()
    assert isinstance(nominations, list)
    assert [n] == nominations
    history = run.history(n)
    assert isinstance(history, list)
    assert isinstance(run.quota_table(), list)
    log = run.events()
    assert isinstance(log, pfd.EventLog)
    assert list(history) == log
    assert (1, history[0], history[0], history) == (len(log), log[0], log[-1], log[:5])


@pytest.mark.parametrize("view", [pfd.NominationList, pfd.EventList, pfd.QuotaTable, pfd.SelectionList])
def test_a_view_made_of_what_it_cannot_show_is_refused_when_made(
    run: pf.CampaignRun, view: type[pfd.View[object]]
) -> None:
    """A view made of something that is no iterable, or of items of another class, is
    InvalidInput naming the item when it is made — not an AttributeError later, from its
    repr, ``rows()`` or its HTML; made of its own records it shows them."""
    with pytest.raises(pf.InvalidInput, match="items"):
        view(5)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="items"):
        view("abc")  # type: ignore[arg-type]
    n = nominate(run, 1)
    good = {
        pfd.NominationList: n,
        pfd.EventList: run.history(n)[0],
        pfd.QuotaTable: run.quota_table([WEIHAI])[0],
        pfd.SelectionList: run.select(pf.Actor(WEIHAI, "industry", "p"), "enterprise", dry_run=True),
    }[view]
    with pytest.raises(pf.InvalidInput, match=r"items\[1\]") as refused:
        view([good, "<b>x</b>"])
    assert "第 2 项" in refused.value.zh
    assert len(view([good])) == 1
    assert view([good])._repr_html_()  # type: ignore[attr-defined]


def test_to_frame_columns(run: pf.CampaignRun) -> None:
    """``to_frame()`` of nominations, events, the quota table and selections has the
    documented columns, Chinese names beside codes, and one kind of moment: standard-library
    datetimes in Asia/Shanghai."""
    pd = pytest.importorskip("pandas")
    n = forward(run, nominate(run, 1).id)
    frame = run.nominations().to_frame()
    assert list(pfd.NominationList.columns) == list(frame.columns)
    assert ("威海市", "审核推荐中") == (frame.loc[0, "holder_name"], frame.loc[0, "state_zh"])
    assert "环翠区 → 威海市 → 山东省 → " in frame.loc[0, "route"]
    events = run.history(n).to_frame()
    assert list(pfd.EventList.columns) == list(events.columns)
    assert ["申报", "推荐"] == list(events["action_zh"][:2])  # the stamps are on its letter
    moments = [run.history(n).rows()[i]["at"] for i in range(len(run.history(n)))]
    assert {datetime} == {type(m) for m in moments}
    assert {"Asia/Shanghai"} == {str(m.tzinfo) for m in moments}
    quota = run.quota_table([WEIHAI]).to_frame()
    assert list(pfd.QuotaTable.columns) == list(quota.columns)
    assert "合计" in set(quota["unit_type_zh"])
    results = run.select_many([pf.Actor(WEIHAI, "industry", "lead")], "enterprise", dry_run=True)
    frame = results.to_frame()
    assert list(pfd.SelectionList.columns) == list(frame.columns)
    assert isinstance(results[0].to_frame(), pd.DataFrame)


def test_local_moment_makes_one_kind_of_moment() -> None:
    """A pendulum moment and a stdlib one of the same instant give equal stdlib datetimes."""
    a = pfd.local_moment(shanghai(2023, 10, 17, 9), "Asia/Shanghai")
    b = pfd.local_moment(datetime.fromisoformat("2023-10-17T01:00:00+00:00"), "Asia/Shanghai")
    assert a == b
    assert type(a) is datetime
    assert type(b) is datetime


# -- progress -----------------------------------------------------------------------------------------


def test_select_many_reports_progress(run: pf.CampaignRun) -> None:
    """``select_many`` calls ``progress`` before the first selection and after each; a
    progress that is not callable is refused before anything is done."""
    seen: list[tuple[int, int, str]] = []
    actors = [pf.Actor(WEIHAI, "industry", "a"), pf.Actor(WEIHAI_DISTRICT, "industry", "b")]
    results = run.select_many(actors, "enterprise", dry_run=True, progress=lambda *a: seen.append(a))
    assert [(0, 2, ""), (1, 2, WEIHAI), (2, 2, WEIHAI_DISTRICT)] == seen
    assert [WEIHAI, WEIHAI_DISTRICT] == [r.authority for r in results]
    with pytest.raises(pf.InvalidInput):
        run.select_many(actors, "enterprise", progress="yes")  # type: ignore[arg-type]


def test_progress_bar_without_tqdm_writes_lines() -> None:
    """Without tqdm the bar writes one line per step (visible in a terminal and a notebook)."""
    out = io.StringIO()
    bar = pfd.ProgressBar("导入", use_tqdm=False, stream=out)
    bar(0, 2, "")
    bar(2, 2, "done")
    assert "导入 0/2\n导入 2/2 done\n" == out.getvalue()


@pytest.mark.parametrize("use_tqdm", [False, True])
def test_a_progress_bar_refuses_what_it_cannot_draw(use_tqdm: bool) -> None:
    """A progress bar made with a flag that is no bool or a stream that cannot be written,
    or called with counts that are no counts or a ``what`` that is no text, is InvalidInput
    naming the argument (not a TypeError from tqdm or AttributeError from print), and draws
    nothing."""
    with pytest.raises(pf.InvalidInput, match="use_tqdm"):
        pfd.ProgressBar("x", use_tqdm="no")  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="stream"):
        pfd.ProgressBar("x", use_tqdm=use_tqdm, stream=5)  # type: ignore[arg-type]
    out = io.StringIO()
    bar = pfd.ProgressBar("x", use_tqdm=use_tqdm, stream=out)
    for done, total, what, named in ((None, 2, "", "done"), (0, -1, "", "total"), (True, 2, "", "done"),
                                     (0, 2, 5, "what"), (0, "2", "", "total")):  # fmt: skip
        with pytest.raises(pf.InvalidInput, match=named):
            bar(done, total, what)  # type: ignore[arg-type]
    assert out.getvalue() == ""
    bar.close()


def test_to_frame_without_pandas_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, run: pf.CampaignRun
) -> None:
    """Without pandas, ``to_frame`` raises ExtraMissing (a PilotflowError and an ImportError)
    with the install hint, in English and Chinese."""
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(pf.PilotflowError) as info:
        run.nominations().to_frame()
    assert isinstance(info.value, ImportError)
    assert "pilotflow[notebook]" in info.value.en
    assert "pilotflow[notebook]" in info.value.zh


def test_lists_print_one_line_per_item(run: pf.CampaignRun) -> None:
    """On a console a list of nominations prints one line per nomination (name, type, state,
    holder, version, id), at most ten, then how many more."""
    for i in range(12):
        nominate(run, i, materials=False)
    text = repr(run.nominations())
    lines = text.splitlines()
    assert "<NominationList: 12 nominations" == lines[0]
    assert 12 == len(lines)
    assert lines[1].startswith("  测试单位")
    assert "| in_review @ 环翠区 | v1 |" in lines[1]
    assert "  … 2 more (to_frame() for all)>" == lines[-1]
    assert "  威海市 (371000) enterprise: 0/3" == repr(run.quota_table([WEIHAI])).splitlines()[1]


def _cells(text: str) -> list[tuple[str, str]]:
    """(label, value) of every cell of an HTML card or table: a card's rows, a table's
    columns (header, each row's cell)."""
    pairs = re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", text)
    if pairs:
        return pairs
    headers = re.findall(r"<th[^>]*>(.*?)</th>", text)
    rows = re.findall(r"<tr>((?:<td[^>]*>.*?</td>)+)</tr>", text)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    return [pair for row_cells in cells for pair in zip(headers, row_cells, strict=True)]


def test_a_bare_records_card_shows_no_code_under_a_name(run: pf.CampaignRun) -> None:
    """A nomination, a letter (推荐函) or an audit event shown on its own in a notebook (no run
    to name things) shows states by their Chinese names, and every authority, department,
    material or state code it shows only under a label saying it is a code (代码), never
    under a Chinese label that promises a name; its note says where the names are."""
    n = forward(run, nominate(run, 1).id)
    letter = run.submissions(sender=WEIHAI_DISTRICT)[0]
    event = run.history(n)[-1]
    graph = run.graph
    codes = set(n.route) | {d for a in n.route for d in graph[a].departments}
    codes |= {m.kind for m in (*n.materials, *letter.materials)} | set(STATES) | {letter.state, "MIN"}
    looks = {
        "nomination": n._repr_html_(),  # type: ignore[attr-defined]
        "letter": letter._repr_html_(),  # type: ignore[attr-defined]
        "event": event._repr_html_(),  # type: ignore[attr-defined]
    }
    for what, text in looks.items():
        for label, value in _cells(text):
            outside = re.sub(r"（[^）]*）", "", value)  # a code in parentheses after its name is fine
            shown_codes = set(re.split(r"[、→×\s]+", outside)) & codes
            assert not shown_codes or "代码" in label, (what, label, value)
    assert "审核推荐中（in_review）" in looks["nomination"]
    assert "已报送（sent）" in looks["letter"]
    assert STATE_ZH[event.to_state] in looks["event"]
    for what in ("nomination", "letter"):
        assert "未结合活动" in looks[what], what
    assert ">371002 → 371000<" not in looks["letter"]  # the title labels its codes too


@pytest.mark.parametrize("guards", [None, "x", 5])
def test_state_machine_takes_only_true_or_false_for_guards(campaign: pf.Campaign, guards: object) -> None:
    """``state_machine(guards=...)`` is a yes/no argument: anything else is InvalidInput."""
    with pytest.raises(pf.InvalidInput, match="guards"):
        pfd.state_machine(campaign, guards=guards)  # type: ignore[arg-type]


def test_nomination_path_checks_its_moment_whatever_the_units_state(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """``nomination_path(at=...)`` refuses a moment that is none (naive, text, NaN) for a unit
    in any state; it was checked only for a unit in review, and ignored otherwise."""
    run = make_run()
    n = nominate(run, 1)
    run.withdraw(pf.Actor.applicant(n.unit_code, "applicant"), n.id, reason="不再申报")
    for at in (datetime(2023, 10, 17, 9), "2023-10-17", float("nan")):
        with pytest.raises(pf.InvalidInput, match=r"^at must be a timezone-aware datetime"):
            pfd.nomination_path(run, n.id, at=at)  # type: ignore[arg-type]


def test_a_hand_built_diagram_is_bounded_before_it_is_drawn() -> None:
    """A diagram built by hand has at most 2,000 nodes and groups and 8,000 edges: more is
    InvalidInput saying so in English and Chinese, before anything is drawn (100,000 nodes in
    10,000 groups took 41 s to draw). At the bound, one node in each of 1,999 groups is drawn
    as boxes, each holding its one node."""
    from pilotflow.display.shapes import MAX_EDGES, MAX_NODES

    nodes = tuple(pfd.Node(f"n{i}", f"节点{i}") for i in range(MAX_NODES + 1))
    with pytest.raises(pf.InvalidInput, match="at most 2000 nodes") as info:
        pfd.Diagram("大图", nodes, ())
    assert "最多 2000 个节点" in info.value.zh
    edges = tuple(pfd.Edge("n0", "n1") for _ in range(MAX_EDGES + 1))
    with pytest.raises(pf.InvalidInput, match="at most 8000 edges"):
        pfd.Diagram("大图", nodes[:2], edges)
    groups = tuple(pfd.Group(f"g{i}", f"组{i}") for i in range(MAX_NODES - 1))
    members = (
        pfd.Node("root", "根"),
        *(pfd.Node(f"m{i}", f"成员{i}", group=f"g{i}") for i in range(MAX_NODES - 1)),
    )
    svg = pfd.Diagram("分组", members, (), groups=groups, layout="grouped").svg()
    assert svg.count('class="group"') == MAX_NODES - 1
    assert "成员1998" in svg
