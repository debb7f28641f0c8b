"""A refusal's Chinese says why in Chinese: never the operating system's English (``Too
many levels of symbolic links``), never a parser's (pypdf's ``startxref``), never an error code.
The English keeps the system's and the parser's own words."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.campaign import MaterialType, Text
from pilotflow.errors import os_reason
from pilotflow.materials import inspect_material
from pilotflow.samples import pdf_bytes

PDF_KIND = MaterialType("application_form_pdf", Text("application form (PDF)", "申报书电子版（PDF）"),
                        formats=("pdf",))  # fmt: skip

#: Latin letters in a Chinese message: what leaks from an English source
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    return tmp_path / "a"


def _chinese_part(message: str, path: Path) -> str:
    """The message with the path (which may hold Latin letters) taken out."""
    return message.replace(str(path), "")


def test_a_list_file_behind_a_loop_of_links_is_refused_in_chinese_words(tmp_path: Path) -> None:
    """A list file that is a loop of symbolic links: the English quotes the system, the
    Chinese says the same in Chinese."""
    path = _loop(tmp_path)
    with pytest.raises(pf.CampaignFileError) as info:
        pf.load_list(path, "serious_dishonesty")
    assert "Too many levels of symbolic links" in info.value.en
    assert "符号链接层数过多" in info.value.zh
    assert not _LATIN_WORD.search(_chinese_part(info.value.zh, path)), info.value.zh


def test_a_damaged_pdf_keeps_the_parsers_words_out_of_the_chinese(tmp_path: Path) -> None:
    """A PDF cut short is refused as damaged: the parser's complaint is in the English and
    the details, and the Chinese asks for the file to be saved again instead."""
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf_bytes(2)[:300])
    with pytest.raises(pf.MaterialRejected) as info:
        inspect_material(PDF_KIND, path)
    error = info.value
    assert ("corrupt", "pdf") == (error.reason, error.details["detected"])
    assert error.details["complaint"] in error.en
    assert "startxref" in error.en
    zh = _chinese_part(error.zh, path)
    assert "已损坏或无效" in zh
    assert not _LATIN_WORD.search(zh.replace("PDF", "")), zh  # (the format's name is no leak)


@pytest.mark.parametrize(
    "number",
    [errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EISDIR, errno.ENOTDIR,
     errno.ELOOP, errno.ENAMETOOLONG, errno.EEXIST, errno.EIO, errno.EMFILE],
)  # fmt: skip
def test_what_the_system_says_is_said_in_chinese(number: int) -> None:
    """Each common refusal of the operating system has its own Chinese words, with no code
    and no English; the English is the system's own."""
    en, zh = os_reason(OSError(number, os.strerror(number)))
    assert os.strerror(number) == en
    assert zh
    assert not _LATIN_WORD.search(zh)
    assert str(number) not in zh
    assert "操作系统拒绝了该操作" != zh


def test_a_refusal_the_table_does_not_know_is_described_without_its_code() -> None:
    """An error number with no Chinese of its own (or none at all) is described in general
    words, never by the number or its name."""
    for exc in (OSError(errno.ECONNRESET, "Connection reset by peer"), OSError("no number at all")):
        en, zh = os_reason(exc)
        assert en in ("Connection reset by peer", "no number at all")
        assert "操作系统拒绝了该操作" == zh
