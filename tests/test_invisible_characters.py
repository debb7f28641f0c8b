"""Text that shows nothing is no text a record may hold: a person, a unit name or a reason
carrying a zero-width space, a byte order mark, a soft hyphen or tag characters is refused
(the text rule, ``pilotflow.inputs.check_text``), since "张三" and "张\\u200b三" would look
alike in every record and document, and tag characters carry text no reader sees. The
joiners that shape Mongolian, Uyghur and other scripts of China's minorities are kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import pilotflow as pf
from pilotflow.inputs import NAME, check_text

from conftest import nominate, state_of, unit_code

HIDDEN = ["\u200b", "\ufeff", "\u00ad", "\u2060", "\u2063", "\U000e0041", "\U000e0001", "\ufffb"]


@pytest.mark.parametrize("character", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_a_person_with_an_invisible_character_is_refused_and_nothing_is_written(
    make_run: Callable[..., pf.CampaignRun], character: str
) -> None:
    """An applicant's person holding an invisible format character is refused when filing,
    naming the character and its position in English and Chinese; nothing is written."""
    run = make_run()
    before = state_of(run)
    code = unit_code(1)
    named = f"invisible format character \\(U\\+{ord(character):04X}\\)"
    with pytest.raises(pf.InvalidInput, match=named) as info:
        run.nominate(
            pf.Actor.applicant(code, f"张{character}三"), unit_code=code, unit_name="某养老科技有限公司",
            unit_type="enterprise", origin="371002", scenario="smart_nursing_homes",
        )  # fmt: skip
    assert "第 2 个字符是不可见的格式字符" in info.value.zh
    assert state_of(run) == before


def test_a_reason_with_a_zero_width_space_is_refused(make_run: Callable[..., pf.CampaignRun]) -> None:
    """A multi-line text (a return's reason) takes line breaks but not a zero-width space."""
    run = make_run()
    n = nominate(run, 1)
    actor = pf.Actor("371002", "industry", "clerk")
    before = state_of(run)
    with pytest.raises(pf.InvalidInput, match="invisible format character"):
        run.return_for_revision(actor, n.id, reason="材料不全\n请补\u200b充")
    assert state_of(run) == before


@pytest.mark.parametrize(
    "text",
    ["ᠮᠣᠩᠭᠣᠯ\u180eᠠ", "ئۇيغۇر\u200cتىلى", "👩\u200d💻", "张三"],
    ids=["mongolian-vowel-separator", "uyghur-zwnj", "emoji-zwj", "plain"],
)
def test_the_joiners_of_minority_scripts_are_kept(text: str) -> None:
    """The Mongolian vowel separator and the zero-width (non-)joiners shape letters: a name
    written with them is taken as it is."""
    assert text == check_text(text, "unit_name", NAME)


def test_a_text_of_invisible_characters_only_is_called_empty() -> None:
    """A text holding nothing but invisible characters is refused as empty, the clearer
    complaint, before its characters are named."""
    with pytest.raises(pf.InvalidInput, match="must contain a visible character"):
        check_text("\u200b\ufeff", "person", NAME)
