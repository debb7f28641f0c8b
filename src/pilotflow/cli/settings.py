"""Where the command finds its database, campaign and lists: an option, an environment
variable, a configuration file, or the built-in default, in that order.

The configuration file is ``pilotflow.toml`` in the working directory, or the file
``--config PATH`` (or ``PILOTFLOW_CONFIG``) names. It may hold::

    db = "campaign.db"                      # a SQLite file, or postgresql://...
    campaign = "smart-health-elderly-care-2023"   # a bundled id or a campaign YAML file

    [lists]                                 # the lists every command judges with
    blacklist = "lists/blacklist.csv"

Relative paths in the file are read from the file's folder. Anything else — an unknown key,
a value of the wrong type, a file that is not TOML — is refused with a bilingual message.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

import pilotflow as pf
from pilotflow.files._io import fs_path, home_path, read_text

__all__ = ["CAMPAIGN_ENV", "CONFIG_ENV", "CONFIG_FILE", "DB_ENV", "Config", "find_config", "load_config"]

CONFIG_FILE = "pilotflow.toml"
CONFIG_ENV = "PILOTFLOW_CONFIG"
DB_ENV = "PILOTFLOW_DB"
CAMPAIGN_ENV = "PILOTFLOW_CAMPAIGN"
MAX_CONFIG_BYTES = 64 * 1024  # a configuration file is a few lines
MAX_LISTS = 64
_KEYS = {"db": "数据库", "campaign": "遴选", "lists": "名单"}


@frozen
class Config:
    """What a configuration file says (``path`` None: there is none)."""

    path: Path | None = None
    db: str | None = None
    campaign: str | None = None
    lists: Mapping[str, str] = {}


def _bad(path: Path, en: str, zh: str) -> pf.InvalidInput:
    return pf.InvalidInput(f"configuration file {path}: {en}", f"配置文件 {path}：{zh}")


def _text(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 4096:
        raise _bad(
            path,
            f"{key} must be a non-empty string (at most 4096 characters), got {type(value).__name__}",
            f"{key} 必须是非空字符串（不超过 4096 个字符）",
        )
    return value


def _relative(path: Path, value: str) -> str:
    """A path written in the file, read from the file's folder (a URL as it is)."""
    if "://" in value:
        return value
    given = home_path(value)
    return str(given if given.is_absolute() else path.parent.absolute() / given)


def find_config(explicit: str | None) -> Path | None:
    """The configuration file to read: ``--config`` (or ``PILOTFLOW_CONFIG``), which must
    exist, else ``pilotflow.toml`` in the working directory if there is one: anything there
    by that name (a folder, a FIFO, a link to a device or to nothing is refused when it is
    read, never passed over as if there were no file)."""
    if explicit is not None:
        return home_path(fs_path(explicit, "--config"))  # read_text refuses a missing one
    found = Path(CONFIG_FILE)
    return found if os.path.lexists(found) else None


def load_config(path: Path | None) -> Config:
    """Read and check a configuration file (None: no file, nothing configured)."""
    if path is None:
        return Config()
    text = read_text(
        str(path), limit=MAX_CONFIG_BYTES, encoding="utf-8-sig", what=("configuration file", "配置文件")
    )
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _toml_where(exc)
        raise _bad(path, f"not valid TOML ({exc})", f"不是有效的 TOML 格式（{where}有误）") from None
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(_KEYS), n=1, cutoff=0.4)
        hint_en = f" (did you mean {close[0]!r}?)" if close else ""
        hint_zh = f"（是否应为 {close[0]!r}？）" if close else ""
        raise _bad(
            path,
            f"unknown key {unknown[0]!r}{hint_en}; allowed keys: {', '.join(_KEYS)}",
            f"未知的键 {unknown[0]!r}{hint_zh}；允许的键：{', '.join(_KEYS)}",
        )
    db = _relative(path, _text(path, "db", data["db"])) if "db" in data else None
    campaign = None
    if "campaign" in data:
        campaign = _text(path, "campaign", data["campaign"])
        if campaign not in pf.bundled_campaigns():
            campaign = _relative(path, campaign)
    lists: dict[str, str] = {}
    given = data.get("lists", {})
    if not isinstance(given, dict):
        raise _bad(
            path,
            "lists must be a table of list id = CSV file ([lists])",
            "lists 必须是“名单标识 = CSV 文件”的表（[lists]）",
        )
    if len(given) > MAX_LISTS:
        raise _bad(path, f"more than {MAX_LISTS} lists", f"名单超过 {MAX_LISTS} 个")
    for list_id, file in given.items():
        lists[list_id] = _relative(path, _text(path, f"lists.{list_id}", file))
    return Config(path, db, campaign, lists)


def env_value(name: str) -> str | None:
    """An environment variable, None when unset or empty."""
    value = os.environ.get(name)
    return value if value else None


def _toml_where(exc: tomllib.TOMLDecodeError) -> str:
    """Where the TOML parser stopped, in Chinese (its own message is English)."""
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    if found:
        return f"第 {found[1]} 行第 {found[2]} 列"
    return "文件末尾" if "end of document" in str(exc) else "某处"
