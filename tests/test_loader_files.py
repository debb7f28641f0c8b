"""Which files the loaders read: only regular files of a bounded size.

Campaign files (``load_campaign``) and lists of units (``load_list``) go through one reader
(``pilotflow.files._io.read_text``). A FIFO with no writer, a device that never ends, a directory
or a file past the size limit is refused with a ``CampaignFileError`` naming the file, without
waiting on it or reading more than the limit. The CLI commands that load files inherit it.
Nothing large is written: an oversized file is a sparse one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pilotflow as pf
from pilotflow.cli.commands import cli
from pilotflow.files import _io as _files

CAMPAIGN_ID = "smart-health-elderly-care-2023"

Loader = Callable[[Any], object]
LOADERS: dict[str, Loader] = {
    "campaign": pf.load_campaign,
    "list": lambda path: pf.load_list(path, "serious_dishonesty"),
}


@pytest.fixture(params=sorted(LOADERS))
def load(request: pytest.FixtureRequest) -> Loader:
    """Each file loader in turn: ``load_campaign`` and ``load_list``."""
    return LOADERS[request.param]


def refusal(load: Loader, path: Any) -> pf.CampaignFileError:
    """The ``CampaignFileError`` ``load`` raises for ``path``; it names the file."""
    with pytest.raises(pf.CampaignFileError) as info:
        load(path)
    assert os.fspath(path) == info.value.source
    return info.value


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to (reading it would wait forever)."""
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_without_waiting(load: Loader, fifo: Path) -> None:
    """A FIFO with no writer is refused as not a regular file (it is opened without blocking)."""
    error = refusal(load, fifo)
    assert "not a regular file: it is a FIFO (named pipe)" == error.problem
    assert "命名管道" in error.zh


def test_dev_zero_is_refused_without_reading(load: Loader) -> None:
    """``/dev/zero`` (endless) is refused as a character device, not read until memory runs out."""
    error = refusal(load, "/dev/zero")
    assert "not a regular file: it is a character device" == error.problem


def test_a_directory_is_refused(load: Loader, tmp_path: Path) -> None:
    """A directory is refused as not a regular file."""
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert "not a regular file: it is a directory" == refusal(load, folder).problem


@pytest.mark.parametrize(
    ("name", "limit"),
    [("campaign", _files.CAMPAIGN_FILE_MAX_BYTES), ("list", _files.LIST_FILE_MAX_BYTES)],
)
def test_a_file_past_the_limit_is_refused_from_its_size(name: str, limit: int, tmp_path: Path) -> None:
    """A regular file one byte past its limit (sparse: nothing is written) is refused, naming
    the limit, and nothing of it is read."""
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(limit + 1)
    error = refusal(LOADERS[name], path)
    assert f"the file is larger than {limit // 2**20} MiB" in error.problem
    assert "大小上限" in error.zh


def test_at_most_one_byte_past_the_limit_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file that is larger than its size said when it was opened (it grows) is read only up to
    one byte past the limit, then refused."""
    path = tmp_path / "grows.yaml"
    path.write_bytes(b"#" * 5000)
    real_fstat, real_read = os.fstat, os.read
    read: list[int] = []

    def small_fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(_files.os, "fstat", small_fstat)
    monkeypatch.setattr(_files.os, "read", counting_read)
    with pytest.raises(pf.CampaignFileError, match="larger than 1,000 bytes"):
        _files.read_text(str(path), limit=1000, encoding="utf-8", what=("campaign file", "遴选定义文件"))
    assert 1001 == sum(read)


def test_missing_file(load: Loader, tmp_path: Path) -> None:
    """A path that does not exist is refused, saying so."""
    assert refusal(load, tmp_path / "absent.csv").problem.startswith("no such ")


def test_a_nul_character_in_the_name_is_refused(load: Loader) -> None:
    """A path with a NUL character is refused as a file name (InvalidInput naming the argument),
    not with a raw ValueError."""
    with pytest.raises(pf.InvalidInput, match="NUL character"):
        load("bad\x00name.yaml")


def test_a_file_that_is_not_utf8_is_refused(load: Loader, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are refused, naming the offset of the first bad byte."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    error = refusal(load, path)
    assert "the file is not UTF-8 text" in error.problem
    assert "at byte 7" in error.problem


def test_line_endings_read_as_before(tmp_path: Path) -> None:
    """Windows and old-Mac line endings are read as ``open()`` reads them in text mode."""
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"a\r\nb\rc\n")
    assert "a\nb\nc\n" == _files.read_text(
        str(path), limit=100, encoding="utf-8", what=("list file", "名单文件")
    )


def test_bundled_campaign_loads_from_its_file_as_by_its_id() -> None:
    """The bundled campaign read through the bounded reader equals the one read by id."""
    folder = Path(pf.__file__).parent / "data" / "campaigns"
    by_path = pf.load_campaign(folder / f"{CAMPAIGN_ID}.yaml")
    assert pf.load_campaign(CAMPAIGN_ID).revision == by_path.revision


# -- the CLI inherits it -----------------------------------------------------------------


@pytest.mark.parametrize("command", [["campaign", "check"], ["campaign", "show"]])
def test_cli_campaign_commands_refuse_a_fifo(command: list[str], fifo: Path) -> None:
    """``pilotflow campaign check|show FIFO`` exits 2 with the bilingual refusal (no hang)."""
    result = CliRunner().invoke(cli, [*command, str(fifo)], catch_exceptions=False)
    assert 2 == result.exit_code, result.output
    assert "not a regular file" in result.output
    assert "不是普通文件" in result.output


def test_cli_explain_refuses_a_fifo_list(fifo: Path, tmp_path: Path) -> None:
    """``pilotflow explain --list ID=FIFO`` exits 2 with the refusal (the list is read first)."""
    db = tmp_path / "empty.db"
    db.touch()
    result = CliRunner().invoke(
        cli,
        ["explain", "N-1", "recommend", "--db", str(db), "--list", f"serious_dishonesty={fifo}"],
        catch_exceptions=False,
    )
    assert 2 == result.exit_code, result.output
    assert "not a regular file: it is a FIFO" in " ".join(result.output.split())
