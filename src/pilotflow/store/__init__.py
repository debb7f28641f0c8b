"""Persistence behind one interface: :class:`MemoryStore`, and SQL (SQLite, PostgreSQL).

``open_store(url)`` picks one from a URL: ``memory://``, ``sqlite:///path/to/file.db``,
``postgresql://user@host/db`` (needs the ``postgres`` extra). This package is the only place
that imports SQLAlchemy.
"""

from __future__ import annotations

from ..errors import InvalidInput
from .base import (
    AnyChange,
    Change,
    ListLoad,
    Receipt,
    ReceiptExists,
    Seat,
    SeatUnavailable,
    Store,
    SubmissionChange,
)
from .memory import MemoryStore

__all__ = [
    "AnyChange",
    "Change",
    "ListLoad",
    "MemoryStore",
    "Receipt",
    "ReceiptExists",
    "Seat",
    "SeatUnavailable",
    "Store",
    "SubmissionChange",
    "open_store",
]


def open_store(url: str, **options: object) -> Store:
    """Open the store a URL names (see the package docstring).

    ``read_only=True`` opens an existing pilotflow database for reading only: it never
    creates or migrates tables, and a SQLite file is first checked, without creating,
    locking or changing anything, to be a regular SQLite file holding pilotflow's tables
    (else :class:`~pilotflow.errors.InvalidInput`), then opened without switching its
    journal mode and with every write refused. Engine options (``pool_size=10``...) are
    those :meth:`~pilotflow.store.sql.SQLStore.from_url` takes.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput(
            f"url must be a store URL such as 'sqlite:///pilotflow.db', got {type(url).__name__}",
            "url 参数必须是存储地址（如 'sqlite:///pilotflow.db'）",
        )
    if url in ("memory://", "memory:", ":memory:"):
        if options:  # (none applies: no tables, no file, nothing to open read-only)
            names = ", ".join(sorted(options))
            raise InvalidInput(
                f"the memory store takes no options, got {names}",
                f"内存存储不接受任何选项（收到：{names}）",
            )
        return MemoryStore()
    from .sql import SQLStore

    return SQLStore.from_url(url, **options)
