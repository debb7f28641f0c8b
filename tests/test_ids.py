"""Nomination ids: unique, sortable by creation, and different in a forked child."""

from __future__ import annotations

import os
import re
import sys

import pytest

from pilotflow.app.results import new_id


def test_ids_are_hex_unique_and_sort_in_creation_order() -> None:
    """An id is 32 lowercase hex characters; ids made one after another sort in that order."""
    ids = [new_id() for _ in range(5000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(ids) == len(set(ids))
    assert sorted(ids) == ids


@pytest.mark.skipif(sys.platform == "win32", reason="needs os.fork")
def test_a_forked_child_makes_other_random_parts_than_its_parent() -> None:
    """The random part is drawn again after fork: parent and child, which share the counter
    and the clock, do not make ids with the same suffix."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next suffixes and leave at once
        os.close(read)
        os.write(write, "".join(new_id()[20:] for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    mine = "".join(new_id()[20:] for _ in range(8))
    with os.fdopen(read) as pipe:
        theirs = pipe.read()
    os.waitpid(pid, 0)
    assert len(mine) == len(theirs) == 8 * 12
    assert mine != theirs
