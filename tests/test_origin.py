"""A nomination starts where its unit is.

The unified social credit code names the division that registered the unit (characters
3-8). A nomination may start only at an authority where nominations start (the campaign's
first level, or one with nothing below it: XPCC, a central enterprise) that lies within that
division, or that admits it by the graph's data (a development zone: its city's units; XPCC:
the Corps' cities); a central enterprise files for its member units itself.
"""

from __future__ import annotations

import pytest

import pilotflow as pf

from conftest import QINGDAO_DISTRICT, WEIHAI_DISTRICT, WEIHAI_DISTRICT_2, all_materials, state_of, unit_code

BEIJING_DISTRICT = "110101"  # 东城区
BEIJING_DISTRICT_2 = "110105"  # 朝阳区
TORCH_ZONE = "371071"  # 威海火炬高技术产业开发区
NANHAI = "371000-NH"  # 威海南海新区


def file(
    run: pf.CampaignRun, division: str, origin: str, *, n: int = 1, actor: pf.Actor | None = None
) -> pf.Nomination:
    """File a unit registered in ``division`` at ``origin`` (as its applicant by default)."""
    code = unit_code(n, division)
    return run.nominate(
        actor or pf.Actor.applicant(code, "applicant"),
        unit_code=code, unit_name=f"单位{n}", unit_type="enterprise", scenario="smart_nursing_homes",
        origin=origin, materials=all_materials(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("division", "origin"),
    [
        pytest.param(WEIHAI_DISTRICT, WEIHAI_DISTRICT, id="weihai-district-itself"),
        pytest.param("371000", WEIHAI_DISTRICT_2, id="weihai-city-registered-at-a-district"),
        pytest.param("371000", TORCH_ZONE, id="weihai-city-registered-at-a-zone"),
        pytest.param(WEIHAI_DISTRICT, TORCH_ZONE, id="weihai-district-unit-at-its-citys-zone"),
        pytest.param(WEIHAI_DISTRICT, NANHAI, id="weihai-district-unit-at-nanhai"),
        pytest.param("370000", QINGDAO_DISTRICT, id="shandong-registered-at-a-qingdao-district"),
        pytest.param("370000", WEIHAI_DISTRICT, id="shandong-registered-at-a-weihai-district"),
        pytest.param(QINGDAO_DISTRICT, QINGDAO_DISTRICT, id="qingdao-district-itself"),
        pytest.param("370284", QINGDAO_DISTRICT, id="qingdao-abolished-county-falls-back-to-the-city"),
        pytest.param(BEIJING_DISTRICT, BEIJING_DISTRICT, id="beijing-district-itself"),
        pytest.param("110000", BEIJING_DISTRICT_2, id="beijing-municipal-registered-at-a-district"),
        pytest.param("659001", "XPCC", id="xpcc-city-unit-at-xpcc"),
        pytest.param("100000", WEIHAI_DISTRICT, id="registered-nationally"),
    ],
)
def test_a_unit_starts_within_its_registering_division(
    run: pf.CampaignRun, division: str, origin: str
) -> None:
    """Each of the bundled campaign's legitimate starting points is accepted."""
    assert (origin, "in_review") == (file(run, division, origin).holder, "in_review")


@pytest.mark.parametrize(
    ("division", "origin", "code"),
    [
        pytest.param(WEIHAI_DISTRICT, "370000", "origin_not_first_level", id="weihai-unit-at-the-province"),
        pytest.param(WEIHAI_DISTRICT, "371000", "origin_not_first_level", id="weihai-unit-at-its-city"),
        pytest.param(QINGDAO_DISTRICT, "370200", "origin_not_first_level", id="qingdao-unit-at-qingdao"),
        pytest.param(
            WEIHAI_DISTRICT, BEIJING_DISTRICT, "origin_outside_registration", id="weihai-unit-in-beijing"
        ),
        pytest.param(
            WEIHAI_DISTRICT, WEIHAI_DISTRICT_2, "origin_outside_registration", id="another-weihai-district"
        ),
        pytest.param(
            WEIHAI_DISTRICT, QINGDAO_DISTRICT, "origin_outside_registration", id="weihai-unit-in-qingdao"
        ),
        pytest.param("370200", TORCH_ZONE, "origin_outside_registration", id="qingdao-unit-at-a-weihai-zone"),
        pytest.param(WEIHAI_DISTRICT, "XPCC", "origin_outside_registration", id="weihai-unit-at-xpcc"),
        pytest.param("650102", "XPCC", "origin_outside_registration", id="urumqi-unit-at-xpcc"),
        pytest.param("999999", WEIHAI_DISTRICT, "origin_outside_registration", id="unknown-division"),
    ],
)
def test_a_borrowed_origin_is_refused_and_nothing_is_written(
    run: pf.CampaignRun, division: str, origin: str, code: str
) -> None:
    """An origin outside the unit's registering division, or above where nominations start,
    is refused with a reason in English and Chinese, and nothing is written."""
    before = state_of(run)

    with pytest.raises(pf.ActionRefused) as refused:
        file(run, division, origin)

    assert code in refused.value.codes
    reason = next(r for r in refused.value.reasons if r.code == code)
    assert reason.en
    assert reason.zh
    assert reason.en != reason.zh
    assert before == state_of(run)


def test_the_refusal_names_the_registering_division(run: pf.CampaignRun) -> None:
    """The reason says where the unit is registered, in both languages."""
    with pytest.raises(pf.ActionRefused) as refused:
        file(run, WEIHAI_DISTRICT, BEIJING_DISTRICT)
    [reason] = [r for r in refused.value.reasons if r.code == "origin_outside_registration"]
    assert "371002 (环翠区)" in reason.en
    assert "东城区" in reason.en
    assert "环翠区" in reason.zh
    assert "东城区" in reason.zh
    assert {
        "origin": BEIJING_DISTRICT,
        "division": WEIHAI_DISTRICT,
        "registered_in": WEIHAI_DISTRICT,
    } == dict(reason.details)


def test_a_central_enterprise_files_for_its_members(run: pf.CampaignRun) -> None:
    """A central enterprise's headquarters files for a member unit registered anywhere; the unit
    cannot file there by itself (nothing vouches it is a member)."""
    hq = pf.Actor("CE-CEC", "hq", "group-office")
    assert "CE-CEC" == file(run, WEIHAI_DISTRICT, "CE-CEC", n=1, actor=hq).holder
    assert "CE-CEC" == file(run, "440300", "CE-CEC", n=2, actor=hq).holder

    with pytest.raises(pf.ActionRefused) as refused:
        file(run, "110000", "CE-CEC", n=3)
    assert "origin_outside_registration" in refused.value.codes
    assert "集团总部" in refused.value.zh


def test_registered_in_reads_the_code(run: pf.CampaignRun) -> None:
    """The graph reads the registering division from the code, falling back to the city for a
    county the table no longer lists (where the city exists) and to the province for a city it
    no longer lists; a county under a city that never existed names no division."""
    graph = run.graph
    divisions = ("371002", "370284", "379999", "379900", "100000", "999999")
    found = {d: graph.registered_in(unit_code(1, d)) for d in divisions}
    assert {d: a.code if a else None for d, a in found.items()} == {
        "371002": "371002", "370284": "370200", "379999": None, "379900": "370000", "100000": "MIN",
        "999999": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("authority", "code"),
    [
        pytest.param("370000", "origin_not_first_level", id="at-the-province"),
        pytest.param(QINGDAO_DISTRICT, "origin_outside_registration", id="in-qingdao"),
        pytest.param("XPCC", "origin_outside_registration", id="at-xpcc"),
    ],
)
def test_an_earlier_winner_is_registered_where_it_is(run: pf.CampaignRun, authority: str, code: str) -> None:
    """The ministry registers an earlier winner for re-review at an authority that fits its
    registration, as a nomination would start: a 环翠区 unit at the province, in Qingdao or at
    XPCC is refused and nothing is written; at 环翠区, or at a central enterprise that files
    for it, it is registered."""
    from pilotflow.service import Winner

    ministry = pf.Actor("MIN", "industry", "m")
    code_ = unit_code(700, WEIHAI_DISTRICT)
    before = state_of(run)
    with pytest.raises(pf.ActionRefused) as refused:
        run.register_winners(ministry, [Winner(code_, "老单位", "enterprise", 2017, authority)])
    assert code in refused.value.codes
    assert before == state_of(run)
    done = run.register_winners(
        ministry,
        [Winner(code_, "老单位", "enterprise", 2017, WEIHAI_DISTRICT),
         Winner(unit_code(701, "440300"), "央企成员", "enterprise", 2017, "CE-CEC")],
    )  # fmt: skip
    assert [WEIHAI_DISTRICT, "CE-CEC"] == [n.holder for n in done]
