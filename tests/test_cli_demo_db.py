"""``pilotflow demo --db PATH`` never destroys what is not its own: starting afresh it deletes
only a SQLite file marked as made by the demo (``PRAGMA application_id``), with its -wal,
-shm and -journal siblings. Anything else at PATH — a text file, another application's
database, a pilotflow database it did not make, a folder, a FIFO, a device behind a symlink —
is refused with a bilingual message and exit status 2, and left untouched."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli.commands import cli
from pilotflow.cli.demo import DEMO_APPLICATION_ID, run_demo

from conftest import CAMPAIGN_ID, nominate, shanghai


def demo(path: Path | str, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["demo", "--db", str(path), "--through", "received", *extra])


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit status 2, a bilingual message, no traceback, and the demo never started."""
    assert 2 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "✗ error:" in result.output
    assert "✗ 错误" in result.output
    assert "pilotflow demo" not in result.output  # its opening panel
    for fragment in fragments:
        assert fragment in result.output.replace("\n", ""), fragment


def state(path: Path) -> tuple[bytes, int, int]:
    """What must not change: the bytes, the mtime and the mode of a file."""
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_mode


def application_id(path: Path) -> int:
    """``PRAGMA application_id``, read from SQLite's header (opening the file could leave
    -wal and -shm files beside it)."""
    return int.from_bytes(path.read_bytes()[68:72], "big")


def other_app_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('王某')")
    conn.commit()
    conn.close()
    return path


def pilotflow_db(path: Path, *, empty: bool = False) -> Path:
    """A pilotflow database (one nomination, or none) that the demo did not make."""
    campaign = pf.load_campaign(CAMPAIGN_ID)
    with pf.open_store(f"sqlite:///{path}") as store:
        if empty:
            return path
        run = pf.CampaignRun(
            campaign,
            store=store,
            lists=pf.empty_lists(campaign),
            clock=pf.FixedClock(shanghai(2023, 10, 17, 9)),
        )
        nominate(run, 1, materials=False)
    return path


FILES: dict[str, Callable[[Path], object]] = {
    "text file": lambda p: p.write_text("会议纪要\n不要删除\n", encoding="utf-8"),
    "another application's database": other_app_db,
    "binary file": lambda p: p.write_bytes(bytes(range(256)) * 8),
}


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("fresh", ["--fresh", "--keep"])
def test_demo_refuses_a_file_that_is_not_a_pilotflow_database(tmp_path: Path, kind: str, fresh: str) -> None:
    """A text file, another application's SQLite database or any other file is refused with
    or without --keep: exit 2, bilingual, bytes, mtime and mode unchanged, nothing beside it."""
    path = tmp_path / "pilotflow-demo.db"
    FILES[kind](path)
    before = state(path)
    assert_refused(demo(path, fresh), "not a database the demo made", "不是演示程序生成的数据库")
    assert before == state(path)
    assert ["pilotflow-demo.db"] == [p.name for p in tmp_path.iterdir()]


def test_demo_refuses_a_pilotflow_database_it_did_not_make(tmp_path: Path) -> None:
    """A pilotflow database the demo did not make (no demo mark) is not deleted: the message
    says to use --keep or another --db, and the file is unchanged."""
    path = pilotflow_db(tmp_path / "work.db")
    before = state(path)
    assert_refused(demo(path), "did not make", "--keep", "非演示程序生成")
    assert before == state(path)
    assert ["work.db"] == [p.name for p in tmp_path.iterdir()]


def test_demo_refuses_a_folder(tmp_path: Path) -> None:
    """A folder given as --db is refused (not a traceback), and its content stays."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    assert_refused(demo(folder), "is a folder", "文件夹")
    assert ["keep.txt"] == [p.name for p in folder.iterdir()]


def test_demo_refuses_a_fifo(tmp_path: Path) -> None:
    """A FIFO is refused without being opened (so nothing blocks) and stays a FIFO."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    assert_refused(demo(fifo), "not a regular file", "不是普通文件")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_demo_refuses_a_symlink_to_a_character_device(tmp_path: Path) -> None:
    """A path that leads to a character device (here a symlink to /dev/null, the device
    itself never being named) is refused; the link and the device stay as they were."""
    link = tmp_path / "null.db"
    link.symlink_to(os.devnull)
    assert_refused(demo(link), "not a regular file", "不是普通文件")
    assert os.devnull == os.readlink(link)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_demo_refuses_a_symlink_to_another_file(tmp_path: Path) -> None:
    """A symlink to a text file is judged by that file: refused, the file unchanged."""
    target = tmp_path / "notes.txt"
    target.write_text("草稿", encoding="utf-8")
    before = state(target)
    link = tmp_path / "demo.db"
    link.symlink_to(target)
    assert_refused(demo(link), "not a database the demo made")
    assert before == state(target)


def test_demo_refuses_a_leftover_wal_file_without_its_database(tmp_path: Path) -> None:
    """A -wal file without its database (SQLite would replay it into a new file) is refused,
    and kept."""
    (tmp_path / "demo.db-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    assert_refused(demo(tmp_path / "demo.db"), "left over", "遗留")
    assert ["demo.db-wal"] == [p.name for p in tmp_path.iterdir()]


def documents(stem: str) -> list[str]:
    """The summary tables and letter drafts the demo writes beside its database ``stem``.db:
    Weihai's, Shandong's and Qingdao's letters."""
    hops = ("371000-to-370000", "370000-to-MIN", "370200-to-MIN")
    return sorted(
        f"{stem}-{kind}-{hop}.{ext}"
        for hop in hops
        for kind, ext in (("summary", "xlsx"), ("letter", "docx"))
    )


def test_demo_marks_its_database_and_replaces_only_that(tmp_path: Path) -> None:
    """The demo marks the file it writes (application_id); run again, it deletes that file
    and its -wal/-shm/-journal siblings and starts over (same counts), exit 0 both times;
    beside it, the letters' documents (written again)."""
    path = tmp_path / "demo.db"
    first = demo(path)
    assert 0 == first.exit_code, first.output
    assert DEMO_APPLICATION_ID == application_id(path)
    for suffix in ("-wal", "-shm", "-journal"):  # as if a run had been cut short
        Path(f"{path}{suffix}").write_bytes(b"")
    second = demo(path)
    assert 0 == second.exit_code, second.output
    assert DEMO_APPLICATION_ID == application_id(path)
    assert sorted(["demo.db", *documents("demo")]) == sorted(p.name for p in tmp_path.iterdir())
    counts = [line for line in first.output.splitlines() if "Audit log" in line]
    assert counts == [line for line in second.output.splitlines() if "Audit log" in line]


def test_demo_fills_an_empty_file(tmp_path: Path) -> None:
    """An empty file (from mktemp, say) holds nothing to lose: the demo writes into it and
    marks it as its own."""
    path = tmp_path / "tmp.XXXX"
    path.touch()
    result = run_demo(path, through="received")
    assert result.nominations > 0
    assert DEMO_APPLICATION_ID == application_id(path)


def test_demo_keep_adds_the_demo_to_a_pilotflow_database_without_marking_it(tmp_path: Path) -> None:
    """--keep runs the demo in a pilotflow database it did not make; the file is not marked
    as the demo's, so a later run without --keep still refuses to delete it."""
    path = pilotflow_db(tmp_path / "work.db", empty=True)
    result = demo(path, "--keep")
    assert 0 == result.exit_code, result.output
    assert 0 == application_id(path)
    before = state(path)
    assert_refused(demo(path), "did not make")
    assert before == state(path)


def test_demo_db_in_a_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    """A --db in a folder that does not exist: exit 2, bilingual, nothing created."""
    assert_refused(demo(tmp_path / "nowhere" / "demo.db"), "does not exist", "不存在")
    assert [] == list(tmp_path.iterdir())


def test_run_demo_refuses_with_invalid_input(tmp_path: Path) -> None:
    """The library call refuses the same way: :class:`pilotflow.InvalidInput`, file kept."""
    path = tmp_path / "notes.txt"
    path.write_text("keep me")
    with pytest.raises(pf.InvalidInput, match="not a database the demo made"):
        run_demo(path)
    assert "keep me" == path.read_text()


def test_demo_in_a_folder_whose_name_a_url_would_misread(tmp_path: Path) -> None:
    """A folder named with characters a URL reads otherwise (``%``, ``?``, a space) holds the
    demo's database like any other."""
    folder = tmp_path / "50% a?b"
    folder.mkdir()
    result = demo(folder / "demo.db")
    assert 0 == result.exit_code, result.output
    assert sorted(["demo.db", *documents("demo")]) == sorted(p.name for p in folder.iterdir())
    assert DEMO_APPLICATION_ID == application_id(folder / "demo.db")


def test_demo_and_the_read_commands_take_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """``demo --db NAME`` with a name that is not valid UTF-8 (as the shell hands it over:
    surrogate escapes) makes the database under that very name and the read commands open
    it; the name is shown with its escapes, not refused as text "the terminal cannot show"."""
    os.chdir(tmp_path)
    name = os.fsdecode(b"\xff\xe6\xbc\x94\xe7\xa4\xba.db")  # a stray byte, then "演示"
    result = demo(name)
    assert 0 == result.exit_code, result.output
    assert "terminal" not in result.output
    assert "database: " in result.output
    assert "\\udcff演示.db" in result.output
    assert DEMO_APPLICATION_ID == application_id(tmp_path / name)
    assert b"\xff\xe6\xbc\x94\xe7\xa4\xba.db" in os.listdir(os.fsencode(tmp_path))
    listed = CliRunner().invoke(cli, ["nominations", "--db", name, "--format", "json"])
    assert 0 == listed.exit_code, listed.output
    assert '"unit_name"' in listed.output
