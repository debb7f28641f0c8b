"""Running the installed ``pilotflow`` command in a real pseudo-terminal (colours on)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path


def installed_pilotflow() -> str:
    """The path of the installed ``pilotflow`` console script (beside this Python first)."""
    found = shutil.which("pilotflow", path=str(Path(sys.executable).parent)) or shutil.which("pilotflow")
    assert found is not None, "the pilotflow console script is not installed (pip install -e .)"
    return found


def run_in_pty(*args: str, cwd: Path, columns: int = 400) -> tuple[int, str]:
    """Run the installed command with stdout and stderr on a pseudo-terminal ``columns`` wide
    (colours on); return its exit status and everything it wrote, undecoded escapes
    included."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {
        k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "PILOTFLOW_DEBUG")
    }
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [installed_pilotflow(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        returncode = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return returncode, b"".join(chunks).decode("utf-8", errors="replace")
