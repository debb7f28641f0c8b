"""Lists of units (``pilotflow.domain.screening``): disqualification lists and the reserve pool.

Pins the validity period of a listing (``since`` inclusive, ``until`` exclusive), list
versions, reading lists from CSV with errors naming file, row and column, and how a run
insists on having every list the campaign consults.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.files.lists import parse_list

from conftest import nominate, shanghai, unit_code

CODE = unit_code(1)
OTHER = unit_code(2)


def listing(code: str = CODE, since: datetime | None = None, until: datetime | None = None,
            reason: str = "判决未履行") -> pf.Listing:  # fmt: skip
    return pf.Listing(code, since=since or shanghai(2023, 10, 10), until=until, reason=reason)


# -- listings and their validity ------------------------------------------------------------------


def test_a_listing_bars_from_since_inclusive_until_until_exclusive() -> None:
    """A listing is active at ``since`` and up to, not at, ``until``."""
    lst = pf.UnitList.build(
        "dishonest_debtors", [listing(since=shanghai(2023, 10, 10), until=shanghai(2023, 10, 20))]
    )

    assert None is lst.hit(CODE, shanghai(2023, 10, 10) - timedelta(microseconds=1))
    assert "判决未履行" == lst.hit(CODE, shanghai(2023, 10, 10)).reason  # type: ignore[union-attr]
    assert None is not lst.hit(CODE, shanghai(2023, 10, 19, 23, 59, 59))
    assert None is lst.hit(CODE, shanghai(2023, 10, 20))


def test_an_open_listing_never_expires() -> None:
    """Without ``until`` the unit stays listed."""
    lst = pf.UnitList.build("abnormal_operations", [listing()])
    assert None is not lst.hit(CODE, shanghai(2030, 1, 1))


def test_a_listing_is_judged_as_an_instant() -> None:
    """The moment asked about is compared as an instant, whatever its offset."""
    lst = pf.UnitList.build("abnormal_operations", [listing(since=shanghai(2023, 10, 18))])
    utc_just_before = datetime.fromisoformat("2023-10-17T15:59:59+00:00")
    utc_at = datetime.fromisoformat("2023-10-17T16:00:00+00:00")
    assert None is lst.hit(CODE, utc_just_before)
    assert None is not lst.hit(CODE, utc_at)


def test_a_unit_listed_twice_is_barred_in_either_period() -> None:
    """Several periods for one unit each bar it; between them it is free."""
    lst = pf.UnitList.build(
        "abnormal_operations",
        [
            listing(since=shanghai(2023, 1, 1), until=shanghai(2023, 3, 1), reason="first"),
            listing(since=shanghai(2023, 10, 1), reason="second"),
        ],
    )
    assert "first" == lst.hit(CODE, shanghai(2023, 2, 1)).reason  # type: ignore[union-attr]
    assert None is lst.hit(CODE, shanghai(2023, 6, 1))
    assert "second" == lst.hit(CODE, shanghai(2023, 10, 17)).reason  # type: ignore[union-attr]


def test_other_units_are_not_hit() -> None:
    """A listing bars its own unit code only; ``in`` and ``len`` describe the list."""
    lst = pf.UnitList.build("serious_dishonesty", [listing()])
    assert None is lst.hit(OTHER, shanghai(2023, 10, 17))
    assert CODE in lst
    assert OTHER not in lst
    assert 1 == len(lst)


# -- versions ------------------------------------------------------------------------------------


def test_the_version_is_a_hash_of_the_entries() -> None:
    """The same entries give the same version; any change gives another."""
    a = pf.UnitList.build("dishonest_debtors", [listing()])
    b = pf.UnitList.build("dishonest_debtors", [listing()])
    c = pf.UnitList.build("dishonest_debtors", [listing(until=shanghai(2023, 11, 1))])
    d = pf.UnitList.build("dishonest_debtors", [listing(reason="另一原因")])

    assert a.version == b.version
    assert a.version.startswith("sha256:")
    assert 3 == len({a.version, c.version, d.version})


def test_a_version_can_be_given_and_an_empty_list_says_so() -> None:
    """A publisher's own version label is kept; an empty list's version is "empty"."""
    assert "2023-10-15" == pf.UnitList.build("x", [listing()], version="2023-10-15").version
    empty = pf.UnitList.empty("abnormal_operations")
    assert ("abnormal_operations", "empty", 0) == (empty.id, empty.version, len(empty))


# -- bad entries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "error", "words"),
    [
        pytest.param(listing(code="91371002MA00000103"), pf.InvalidInput, "check character",
                     id="bad-check-character"),
        pytest.param(pf.Listing(CODE, since=datetime(2023, 10, 10)), pf.NaiveDatetime, "since",
                     id="naive-since"),
        pytest.param(listing(until=datetime(2023, 10, 20)), pf.NaiveDatetime, "until",
                     id="naive-until"),
        pytest.param(listing(until=shanghai(2023, 10, 10)), pf.InvalidInput, "after since",
                     id="until-not-after-since"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_refused_naming_list_and_entry(
    entry: pf.Listing, error: type[Exception], words: str
) -> None:
    """Each entry is checked when the list is built; the error names list and entry number."""
    with pytest.raises(error) as raised:
        pf.UnitList.build("dishonest_debtors", [listing(code=OTHER), entry])
    assert words in str(raised.value)
    assert "entry 2" in str(raised.value)


def test_a_list_needs_an_id() -> None:
    """An empty list id is refused."""
    with pytest.raises(pf.InvalidInput):
        pf.UnitList.build("", [])


# -- reading lists from CSV ---------------------------------------------------------------------------


def test_load_list_reads_a_csv_file(tmp_path: Path) -> None:
    """Columns unit_code, unit_name, since, until, reason; dates are days in Asia/Shanghai,
    date-times carry their offset; until may be empty; a BOM is tolerated."""
    path = tmp_path / "dishonest.csv"
    path.write_text(
        "\ufeffunit_code,unit_name,since,until,reason\n"
        f"{CODE},甲公司,2023-10-10,2023-10-20,判决未履行\n"
        f"{OTHER},乙公司,2023-10-18T12:00:00+08:00,,失信\n",
        encoding="utf-8",
    )

    lst = pf.load_list(path, "dishonest_debtors")

    assert ("dishonest_debtors", 2) == (lst.id, len(lst))
    first, second = lst.entries
    assert (CODE, "甲公司", "判决未履行") == (first.unit_code, first.unit_name, first.reason)
    assert shanghai(2023, 10, 10) == first.since
    assert shanghai(2023, 10, 20) == first.until
    assert shanghai(2023, 10, 18, 12) == second.since
    assert None is second.until
    assert None is lst.hit(OTHER, shanghai(2023, 10, 18, 11, 59))
    assert None is not lst.hit(OTHER, shanghai(2023, 10, 18, 12))


def test_the_same_file_gives_the_same_version(tmp_path: Path) -> None:
    """Reading an unchanged file again gives the same version; editing it changes it."""
    path = tmp_path / "l.csv"
    path.write_text(f"unit_code,since\n{CODE},2023-10-10\n", encoding="utf-8")
    v1 = pf.load_list(path, "abnormal_operations").version
    assert v1 == pf.load_list(path, "abnormal_operations").version
    path.write_text(f"unit_code,since\n{CODE},2023-10-11\n", encoding="utf-8")
    assert v1 != pf.load_list(path, "abnormal_operations").version


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        pytest.param("unit_name,since\n甲,2023-10-10\n", "header", "unit_code",
                     id="missing-column"),
        pytest.param(f"unit_code,since,colour\n{CODE},2023-10-10,red\n", "header", "colour",
                     id="unknown-column"),
        pytest.param("unit_code,since\n91371002MA00000103,2023-10-10\n", "row 2.unit_code",
                     "check character", id="bad-code"),
        pytest.param(f"unit_code,since\n{CODE},2023-10-10\n{OTHER},10/18/2023\n", "row 3.since",
                     "10/18/2023", id="bad-date"),
        pytest.param(f"unit_code,since\n{CODE},2023-10-10T12:00:00\n", "row 2.since", "offset",
                     id="time-without-offset"),
        pytest.param(f"unit_code,since,until\n{CODE},2023-10-10,2023-10-09\n", "row 2.until",
                     "after since", id="until-before-since"),
    ],
)  # fmt: skip
def test_a_bad_csv_is_refused_naming_file_row_and_column(
    tmp_path: Path, text: str, where: str, words: str
) -> None:
    """Errors say which file, which row and column, and what is wrong."""
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(pf.CampaignFileError) as raised:
        pf.load_list(path, "abnormal_operations")

    assert str(path) == raised.value.source
    assert where == raised.value.path
    assert words in raised.value.problem


def test_an_unreadable_file_is_a_campaign_file_error(tmp_path: Path) -> None:
    """A missing file is refused as CampaignFileError naming it."""
    missing = tmp_path / "nope.csv"
    with pytest.raises(pf.CampaignFileError) as raised:
        pf.load_list(missing, "abnormal_operations")
    assert str(missing) == raised.value.source


def test_parse_list_reads_text() -> None:
    """parse_list reads the CSV text itself, in the given time zone."""
    lst = parse_list(f"unit_code,since\n{CODE},2023-10-10\n", "x", timezone="UTC")
    assert datetime.fromisoformat("2023-10-10T00:00:00+00:00") == lst.entries[0].since


# -- a run and its lists ------------------------------------------------------------------------------


def test_a_run_needs_every_list_the_campaign_consults(campaign: pf.Campaign) -> None:
    """Leaving out a disqualification list is refused, naming it (an unknown list is not the
    same as an empty one)."""
    lists = [lst for lst in pf.empty_lists(campaign) if lst.id != "dishonest_debtors"]
    with pytest.raises(pf.InvalidInput) as raised:
        pf.CampaignRun(campaign, lists=lists)
    assert "dishonest_debtors" in raised.value.en


def test_the_campaign_consults_the_four_lists_and_other_grounds(campaign: pf.Campaign) -> None:
    """经营异常名录, 严重违法失信名单, 失信被执行人名单, 养老服务市场失信联合惩戒对象名单, and
    other grounds; and ranks by Shandong's reserve pool."""
    assert {
        "abnormal_operations": "经营异常名录",
        "serious_dishonesty": "严重违法失信名单",
        "dishonest_debtors": "失信被执行人名单",
        "elderly_care_punishment": "养老服务市场失信联合惩戒对象名单",
        "other_grounds": "其他因违纪违法违规不宜推荐的情形",
    } == {k: v.zh for k, v in campaign.screening_lists.items()}
    assert ("shandong_reserve_pool",) == campaign.ranking.priority_lists
    assert {lst.id for lst in pf.empty_lists(campaign)} == set(campaign.screening_lists)


def test_lists_must_be_unit_lists(campaign: pf.Campaign) -> None:
    """Anything but a UnitList is refused, at construction and in use_list."""
    with pytest.raises(pf.InvalidInput):
        pf.CampaignRun(campaign, lists=[*pf.empty_lists(campaign), "abnormal_operations"])  # type: ignore[list-item]
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign))
    with pytest.raises(pf.InvalidInput):
        run.use_list({"id": "abnormal_operations"})  # type: ignore[arg-type]


def test_use_list_replaces_a_list_for_later_actions(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A republished list applies from then on and is visible through ``run.lists``."""
    run = make_run()
    new = pf.UnitList.build("abnormal_operations", [listing(code=unit_code(1))], version="v2")
    run.use_list(new)

    assert new == run.lists["abnormal_operations"]
    with pytest.raises(pf.ActionRefused) as refused:
        nominate(run, 1)
    assert ("disqualified",) == refused.value.codes
    assert "v2" == refused.value.reasons[0].details["list_version"]


def test_a_loaded_csv_list_bars_a_nomination(make_run: Callable[..., pf.CampaignRun], tmp_path: Path) -> None:
    """A list read from CSV works end to end: the listed unit cannot be filed, others can."""
    path = tmp_path / "punish.csv"
    path.write_text(f"unit_code,since\n{unit_code(1)},2023-09-01\n", encoding="utf-8")
    run = make_run(lists=[pf.load_list(path, "elderly_care_punishment")])

    with pytest.raises(pf.ActionRefused):
        nominate(run, 1)
    assert "in_review" == nominate(run, 2).state


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", "a\x00b"), ("reason", "a\ud800"), ("reason", "x" * 4001), ("unit_name", "名\u202e称"),
     ("unit_name", "x" * 201), ("unit_name", "名\n称")],
)  # fmt: skip
def test_a_listing_text_that_breaks_the_text_rule_is_refused_wherever_a_list_is_made(
    make_run: Callable[..., pf.CampaignRun], field: str, value: str
) -> None:
    """A listing's reason and unit name, shown in every refusal the listing causes, obey the
    text rule wherever a list is made (a reason may run over several lines): a control or
    bidirectional character, a lone surrogate or too long a text is InvalidInput naming the
    entry and the field, when the list is built, so neither a run given it in memory nor a
    load sees it, and nothing is stored. (Only a load checked the text: a list given to a run,
    or with ``--list FILE``, took what loading refused.)"""
    run = make_run()
    since = shanghai(2023, 1, 1)
    top = pf.Actor(run.graph.top.code, run.graph.top.departments[0], "clerk")
    for bad in (value, 5):
        with pytest.raises(pf.InvalidInput, match=f"entry 1: {field}"):
            pf.UnitList.build("dishonest_debtors", [pf.Listing(unit_code(1), since, **{field: bad})])  # type: ignore[arg-type]
    assert run.list_loads() == []
    two_lines = pf.Listing(unit_code(1), since, reason="判决未履行\n（2023）鲁01执1号")
    run.load_list(pf.UnitList.build("dishonest_debtors", [two_lines]), actor=top)
    assert [1] == [load.entries for load in run.list_loads()]


@pytest.mark.parametrize("field", ["reason", "unit_name"])
def test_a_list_files_text_that_breaks_the_text_rule_is_refused_naming_its_row(field: str) -> None:
    """A list read from CSV whose reason or unit name holds a control character (an escape
    sequence that would clear a terminal showing the refusal it causes) is a CampaignFileError
    naming the file's row and the field, in English and Chinese."""
    name = "某\x1b[2J公司" if field == "unit_name" else "某公司"
    reason = "列入\x1b[2J原因" if field == "reason" else "列入原因"
    text = f"unit_code,unit_name,since,until,reason\n{unit_code(1)},{name},2023-01-01,,{reason}"
    with pytest.raises(pf.CampaignFileError, match=rf"row 2: {field} holds a control character") as caught:
        parse_list(text + "\n", "abnormal_operations")
    assert "row 2" == caught.value.path
    assert "row 2：" in caught.value.zh
    assert "控制字符" in caught.value.zh


def test_a_list_row_with_more_fields_than_the_header_is_refused() -> None:
    """A row of a list's CSV with fields past the header's columns is refused, naming the
    row, in English and Chinese (the extra fields were dropped silently)."""
    code = unit_code(1)
    text = f"unit_code,since,until,reason\n{code},2023-01-01,,r,,extra\n"
    with pytest.raises(pf.CampaignFileError, match=r"row 2.*2 field\(s\) more than the header's 4") as caught:
        parse_list(text, "abnormal_operations")
    assert "多出 2 个字段" in caught.value.zh


@pytest.mark.parametrize(
    ("list_id", "version", "named"),
    [("dishonest_debtors", "v\ud800", "version"), ("dishonest_debtors", "v\x00", "version"),
     ("dishonest_debtors", "v" * 1_000_000, "version"), ("dishonest_debtors", " v1", "version"),
     ("x" * 100_000, None, "list_id"), ("", None, "list_id"), (5, None, "list_id")],
    ids=["surrogate", "nul", "huge-version", "spaced", "huge-id", "empty-id", "int-id"],
)  # fmt: skip
def test_a_lists_id_and_version_obey_the_rule_every_store_keeps_when_built(
    list_id: object, version: str | None, named: str
) -> None:
    """Every event records the versions of the lists it was judged with, so a list's id and
    version are refused when the list is built unless a store can keep them: text of the text
    rule, at most 100 characters, no surrounding white space. (A list given to a run in
    memory with a lone surrogate in its version made every later action of a SQL store raise
    a raw UnicodeEncodeError; NUL failed on PostgreSQL only; a million characters were written
    into every event.)"""
    with pytest.raises(pf.InvalidInput, match=f"^{named} "):
        pf.UnitList.build(list_id, [listing()], version=version)  # type: ignore[arg-type]
