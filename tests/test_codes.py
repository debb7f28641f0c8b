"""Unified social credit codes (统一社会信用代码, GB 32100-2015), the identity of a unit.

Pins what is accepted, that each kind of bad code is refused with InvalidUnitCode saying
what is wrong (and where), and that the service checks codes wherever it takes them.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

import pilotflow as pf
from pilotflow.domain.codes import _check_digit, check_code, make_code

from conftest import all_materials, unit_code

VALID = "91350100M000100Y43"  # python-stdnum's documented example
WEIHAI_DISTRICT = "371002"


def with_check(first17: str) -> str:
    """``first17`` completed with its GB 32100 check character."""
    return first17 + uscc.calc_check_digit(first17 + "0")


@pytest.mark.parametrize(
    "code",
    [
        VALID,
        "91110000600037341L",
        make_code("91371002", "MA3C5CJX"),
        with_check("12371000MB1234567"),  # 事业单位 (registered by 机构编制)
        with_check("52371002MJ1234567"),  # 民办非企业单位 (registered by 民政)
    ],
)
def test_valid_codes_are_returned_unchanged(code: str) -> None:
    """A well-formed code with the right check character is accepted as is."""
    assert code == pf.validate_unit_code(code)
    assert None is check_code(code)


@pytest.mark.parametrize(
    "first17",
    [
        "Y1371000MA1234567",  # Y: 其他登记管理部门
        "N2371002MA1234567",  # N: 农业 (村级集体经济组织)
        "A1110000MA1234567",  # A: 中央军委改革和编制办公室
    ],
)
def test_letters_are_allowed_in_the_first_two_characters(first17: str) -> None:
    """GB 32100-2015: the registration-department code (1st) and the organisation-category
    code (2nd) may be digits or capital letters; only characters 3–8 (the GB/T 2260
    division) must be digits."""
    code = with_check(first17)
    assert code == pf.validate_unit_code(code)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        pytest.param("91350100M000100Y44", "check character is 4, expected 3", id="check"),
        pytest.param("91350100M000100Y4", "must have 18 characters, has 17", id="short"),
        pytest.param("91350100M000100Y433", "must have 18 characters, has 19", id="long"),
        pytest.param("", "must have 18 characters, has 0", id="empty"),
        pytest.param("91350100m000100y43", "upper-case", id="lower-case"),
        pytest.param(" 91350100M000100Y43", "without spaces", id="leading-space"),
        pytest.param("91350100-M000100Y43", "without spaces", id="dash"),
        pytest.param("913501O0M000100Y43", "must be digits", id="letter-in-division"),
        pytest.param("I1350100M000100Y43", "no I, O, S, V, Z", id="letter-I-first"),
        pytest.param("91350100M000I00Y43", "no I, O, S, V, Z", id="letter-I"),
        pytest.param("91350100M000S00Y43", "no I, O, S, V, Z", id="letter-S"),
        pytest.param(91350100, "expected a string, got int", id="not-a-string"),
        pytest.param(None, "expected a string, got NoneType", id="none"),
    ],
)
def test_a_bad_code_is_refused_saying_what_is_wrong(code: object, problem: str) -> None:
    """InvalidUnitCode (an InvalidInput) names the field, the code and the problem, in
    English and Chinese."""
    assert problem in (check_code(code) or "")
    with pytest.raises(pf.InvalidUnitCode) as raised:
        pf.validate_unit_code(code, "applicant.unit_code")
    assert isinstance(raised.value, pf.InvalidInput)
    assert problem in raised.value.en
    assert raised.value.en.startswith("applicant.unit_code: ")
    assert "统一社会信用代码" in raised.value.zh


def test_every_single_character_typo_is_caught() -> None:
    """Changing any one character of a valid code to another allowed character is detected."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(8, 18):
        for c in alphabet:
            if c == VALID[i]:
                continue
            typo = VALID[:i] + c + VALID[i + 1 :]
            assert None is not check_code(typo), typo


def test_make_code_builds_valid_codes() -> None:
    """make_code (test data) completes a prefix and body with the check character."""
    assert "91371000MA3C5CJX07" == make_code("91371000", "MA3C5CJX")
    for n in range(50):
        assert None is check_code(make_code("91371002", f"MA{n:06d}"))
    with pytest.raises(pf.InvalidUnitCode):
        make_code("9137100", "MA3C5CJX")
    with pytest.raises(pf.InvalidUnitCode):
        make_code("91371000", "MAOC5CJX")


def test_the_test_helper_codes_are_distinct_and_valid() -> None:
    """unit_code(n, division) gives valid, distinct codes (the other tests rely on it)."""
    codes = {unit_code(n, d) for n in range(20) for d in ("371002", "370211", "110000")}
    assert 60 == len(codes)
    assert all(check_code(c) is None for c in codes)


# -- the service checks codes wherever it takes them ----------------------------------------------


def test_nominate_refuses_a_bad_unit_code(run: pf.CampaignRun) -> None:
    """A nomination with a bad check character is refused (InvalidUnitCode naming the
    problem) and nothing is written."""
    bad = "91371002MA00000103"
    with pytest.raises(pf.InvalidUnitCode) as raised:
        run.nominate(
            pf.Actor(WEIHAI_DISTRICT, "industry", "clerk"),
            unit_code=bad,
            unit_name="测试单位",
            unit_type="enterprise",
            scenario="smart_nursing_homes",
            origin=WEIHAI_DISTRICT,
            materials=all_materials(),
        )
    assert "unit_code" in raised.value.en
    assert "check character is 3, expected 2" in raised.value.en
    assert [] == run.nominations()
    assert [] == run.events()


def test_an_applicant_actor_with_a_bad_code_is_refused(run: pf.CampaignRun) -> None:
    """An applicant acts under its own code, which must be valid too."""
    good = unit_code(1)
    with pytest.raises(pf.InvalidUnitCode) as raised:
        run.nominate(
            pf.Actor.applicant("91371002MA00000103", "applicant"),
            unit_code=good,
            unit_name="测试单位",
            unit_type="enterprise",
            scenario="smart_nursing_homes",
            origin=WEIHAI_DISTRICT,
        )
    assert "actor.authority" in raised.value.en
    assert [] == run.events()


def test_a_unit_with_a_letter_category_code_can_be_nominated(run: pf.CampaignRun) -> None:
    """A rural collective (村级集体经济组织, N2…) running an elderly canteen can be filed."""
    code = with_check("N2371002MA0000001")
    n = run.nominate(
        pf.Actor.applicant(code, "applicant"),
        unit_code=code,
        unit_name="某村股份经济合作社",
        unit_type="base",
        scenario="elderly_canteens",
        origin=WEIHAI_DISTRICT,
    )
    assert code == n.unit_code


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_check_character_agrees_with_python_stdnum(first17: str) -> None:
    """pilotflow's fast check character (base-34 digits, parsed in C) is stdnum's, for any
    17 characters of the code alphabet."""
    assert uscc.calc_check_digit(first17 + "0") == _check_digit(first17)


@pytest.mark.parametrize(("prefix", "body"), [(None, "MA3C5CJX"), ("91371002", None), (91371002, "MA3C5CJX")])
def test_make_code_of_what_is_no_text_is_refused(prefix: object, body: object) -> None:
    """``make_code`` given a prefix or body that is no text is InvalidUnitCode saying so,
    not a TypeError from joining them."""
    with pytest.raises(pf.InvalidUnitCode, match="text"):
        make_code(prefix, body)  # type: ignore[arg-type]
