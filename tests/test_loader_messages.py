"""A file that is not a campaign is not echoed back by the error that refuses it.

``pilotflow campaign check FILE`` on a text file, a binary file or a file full of terminal
control sequences exits 2 with a message that may name a line and column and quote a short
escaped token (at most 40 characters) — never a longer piece of the file, and never a raw
control character.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

import pilotflow as pf
from pilotflow.cli.commands import cli

PASSWD = "".join(
    f"user{i}:x:{1000 + i}:{1000 + i}:User number {i}:/home/user{i}:/bin/bash\n" for i in range(8)
)
HOSTILE: dict[str, bytes] = {
    "passwd": PASSWD.encode(),
    "prose": (
        b"This is not a campaign at all: it is a letter, with a first line long enough to notice.\n"
        b"Its second line goes on and on, and it would be a leak to print it back to the terminal.\n"
    ),
    "binary": bytes(range(256)) * 8,
    "controls": b"id: \x1b[2J\x1b[31mred alert\x07 and a tail long enough to notice if it were echoed\n",
    "nul": b"id: campaign\x00 and then a tail that is long enough to notice if it were echoed\n",
    "tab": b"levels:\n\t- district and a tail that is long enough to notice if it were echoed\n",
    "long key": b"k" * 300 + b": 1\n",
    "long tag": b"id: !" + b"t" * 300 + b" x\n",
    "long alias": b"id: *" + b"a" * 300 + b"\n",
    "bidi": (
        "id: \u202eevil and a tail that is long enough to notice if it were echoed\n"
        "title: {en: t, zh: t}\nyear: 2023\ntimezone: Asia/Shanghai\nlevels: [province]\n"
        "departments: {i: {en: i, zh: i}}\nunit_types: {e: {en: e, zh: e}}\n"
    ).encode(),
}


def longest_shared(a: str, b: str) -> int:
    """The length of the longest piece of text ``a`` and ``b`` share."""
    match = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_campaign_check_does_not_echo_the_file(name: str, tmp_path: Path) -> None:
    """``campaign check`` exits 2, prints no control character, and shares no more than a
    short token (42 characters, quotes included) with the file it refuses."""
    path = tmp_path / "suspect.yaml"
    path.write_bytes(HOSTILE[name])
    result = CliRunner().invoke(cli, ["campaign", "check", str(path)], catch_exceptions=False)
    assert 2 == result.exit_code, result.output
    assert "✗ error:" in result.output
    assert "✗ 错误" in result.output
    assert all(c.isprintable() or c == "\n" for c in result.output), ascii(result.output)
    content = HOSTILE[name].decode("utf-8", "replace")
    message = result.output.replace(str(path), "")
    assert longest_shared(message, content) <= 42, result.output


def test_a_text_file_is_refused_as_not_a_mapping_without_its_text(tmp_path: Path) -> None:
    """A text file read as one YAML string is refused at the root, naming its type only."""
    path = tmp_path / "passwd.yaml"
    path.write_text(PASSWD, encoding="utf-8")
    with pytest.raises(pf.CampaignFileError) as info:
        pf.load_campaign(path)
    assert "expected a mapping (key: value) at the top of the file, got a string" == info.value.problem
    assert "user0" not in info.value.en + info.value.zh


def test_a_control_character_is_located_not_quoted() -> None:
    """A character YAML does not allow is named by its line, column and code point in English;
    the Chinese message names the place without the code."""
    with pytest.raises(pf.CampaignFileError) as info:
        pf.parse_campaign("id: x\ntitle: a\x1bb\n")
    assert "not valid YAML at line 2, column 9" in info.value.problem
    assert "(U+001B)" in info.value.problem
    assert "第 2 行第 9 列" in info.value.zh
    assert "U+" not in info.value.zh
    assert "\x1b" not in info.value.en + info.value.zh


def test_a_syntax_error_names_the_place_not_the_snippet() -> None:
    """A YAML syntax error gives the line and column and the parser's problem, not the
    snippet of the file around it."""
    with pytest.raises(pf.CampaignFileError) as info:
        pf.parse_campaign("id: [unclosed and a long tail of text that must not be quoted\n")
    assert "not valid YAML at line" in info.value.problem
    assert "long tail" not in info.value.en + info.value.zh
