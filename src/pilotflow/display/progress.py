"""Progress of long operations, in a terminal and in a notebook.

The operations that take a while accept ``progress=``, a callable ``(done, total, what)``
called before the first step and after each (``run.select_many``; see docs/display.md).
:func:`progress_bar` makes one that draws a bar with tqdm when it is installed (the
``notebook`` extra): a text bar in a terminal, and in Jupyter too unless ipywidgets is
installed (then ``tqdm.auto``'s widget); without tqdm, one plain line per step on standard
error, which shows in both.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from ..domain.inputs import check_flag, wrong_argument
from ..errors import InvalidInput

__all__ = ["ProgressBar", "progress_bar"]


def _tqdm() -> Any:
    """tqdm's bar class: ``tqdm.auto``'s where ipywidgets is installed (a widget in Jupyter),
    else the text bar (which Jupyter shows too, without tqdm.auto's warning); None without
    tqdm."""
    try:
        import tqdm.std  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    try:
        import ipywidgets  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return tqdm.std.tqdm
    import tqdm.auto  # type: ignore[import-untyped,unused-ignore]

    return tqdm.auto.tqdm


class ProgressBar:
    """A ``progress=`` callable drawing a bar; :meth:`close` it when done (it closes itself
    when ``done`` reaches ``total``)."""

    def __init__(self, description: str, *, use_tqdm: bool = True, stream: TextIO | None = None) -> None:
        if not isinstance(description, str) or len(description) > 200:
            raise InvalidInput(
                "description must be text of at most 200 characters", "description 应为不超过 200 字的文本"
            )
        check_flag("use_tqdm", use_tqdm)
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise wrong_argument("stream", "a text stream (with write) or None", "文本输出流或 None", stream)
        self.description = description
        self.stream = stream
        self._bar: Any = None
        self._tqdm: Any = None
        if use_tqdm:
            self._tqdm = _tqdm()
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int, what: str) -> None:
        for name, count in (("done", done), ("total", total)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise wrong_argument(name, "a count (a whole number, 0 or more)", "非负整数", count)
        if not isinstance(what, str):
            raise wrong_argument("what", "text (a str)", "文本（字符串）", what)
        self.done, self.total = done, total
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=total, desc=self.description, file=self.stream)
            self._bar.update(done - self._bar.n)
            self._bar.set_postfix_str(what, refresh=True)
        else:
            stream = self.stream if self.stream is not None else sys.stderr
            print(f"{self.description} {done}/{total} {what}".strip(), file=stream, flush=True)
        if total and done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __repr__(self) -> str:
        return f"<ProgressBar {self.description!r} {self.done}/{self.total}>"


def progress_bar(description: str = "", *, use_tqdm: bool = True) -> ProgressBar:
    """A ``progress=`` callable: a tqdm bar when tqdm is installed, else a line per step.

    >>> bar = progress_bar("遴选", use_tqdm=False)
    >>> import io; bar.stream = io.StringIO()
    >>> bar(0, 2, ""); bar(1, 2, "371000"); bar(2, 2, "370200")
    >>> print(bar.stream.getvalue(), end="")
    遴选 0/2
    遴选 1/2 371000
    遴选 2/2 370200
    """
    return ProgressBar(description, use_tqdm=use_tqdm)
