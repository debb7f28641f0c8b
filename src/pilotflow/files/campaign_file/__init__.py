"""Campaign definitions in YAML: loading and validation.

A campaign is data, not code: ``load_campaign("smart-health-elderly-care-2023")`` reads the
bundled definition of the 2023 smart health and elderly-care campaign, ``load_campaign(path)``
reads your own. The format is documented in ``docs/campaign-format.md``.

Everything is validated before a :class:`~pilotflow.campaign.Campaign` is returned, and a
bad file is refused with one :class:`~pilotflow.errors.CampaignFileError` listing every
problem of the file (not the first only), each with the key path inside it
(``quotas[2].limits.enterprise``) and the problem in English and Chinese: unknown keys
(typos), missing keys, wrong types, unknown authorities, levels, kinds, unit types and
materials, negative quotas, naive or unreadable deadlines, duplicate codes, and
deadlines that would close earlier further up a route than below it.

>>> campaign = load_campaign("smart-health-elderly-care-2023")
>>> campaign.year, campaign.level_codes
(2023, ('district', 'city', 'province', 'ministry'))

This package's modules, in the order a file is read:

* ``safe_yaml``: the text to plain data, every cost bounded (size, nodes, depth, aliases,
  duplicate keys, long integers); the only module importing PyYAML.
* ``messages``: key paths and the short tokens a refusal quotes; ``values``: the generic
  readers (mappings with their keys, lists, strings, bounded integers, numbers, choices,
  dates); ``bounds``: every number's bounds.
* ``scope``: what the sections refer to (the authority graph, what earlier sections
  declared) and the readers of those references (authorities, selectors, unit types).
* one module per section: ``header`` (id, time zone, deadline rule, documents), ``levels``
  (levels, departments, unit types, scenarios), ``materials``, ``routes`` (reporting and
  hop rules), ``deadlines`` (a hop's deadline, and their order along every route),
  ``quotas``, ``lists`` (the lists of four kinds, and the older screening and priority lists,
  ranking), ``notice``, ``ministry``, ``re_review``, ``tracks`` (each track's lists, ranking,
  materials and share cap, moved onto the lists, ranking, hops and re-review rules).
* ``reader``: :class:`_Reader`, which reads the sections in order and builds the campaign.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ...domain.authorities import AuthorityGraph
from ...domain.campaign import Campaign
from ...domain.inputs import wrong_argument
from ...errors import CampaignFileError, InvalidInput
from .._io import CAMPAIGN_FILE_MAX_BYTES, MAX_PATH, fs_path, read_text
from .bounds import COPIES as COPIES
from .bounds import EXPERTS as EXPERTS
from .bounds import MAX_RULES as MAX_RULES
from .bounds import MOMENT_YEARS as MOMENT_YEARS
from .bounds import QUOTAS as QUOTAS
from .bounds import VIDEO_SECONDS as VIDEO_SECONDS
from .bounds import VIDEO_TOLERANCE as VIDEO_TOLERANCE
from .bounds import WORKING_DAYS as WORKING_DAYS
from .bounds import YEARS as YEARS
from .header import DEADLINE_RULES as DEADLINE_RULES
from .messages import short
from .re_review import ROUNDINGS as ROUNDINGS
from .reader import CAMPAIGN_FORMATS as CAMPAIGN_FORMATS
from .reader import _Reader as _Reader
from .safe_yaml import _LOADERS as _LOADERS  # read here; set it on safe_yaml, where it is used
from .safe_yaml import MAX_DEPTH as MAX_DEPTH
from .safe_yaml import MAX_NODES as MAX_NODES
from .safe_yaml import MAX_NUMBER_CHARS as MAX_NUMBER_CHARS
from .safe_yaml import MAX_TEXT as MAX_TEXT

__all__ = ["CAMPAIGN_FORMATS", "bundled_campaigns", "campaign_schema", "load_campaign", "parse_campaign"]

_BUNDLED_PACKAGE = "pilotflow"
_BUNDLED_DIR = ("data", "campaigns")
_SUFFIXES = (".yaml", ".yml")
_SCHEMA = ("data", "campaign.schema.json")


def bundled_campaigns() -> tuple[str, ...]:
    """The ids of the campaigns shipped with pilotflow, sorted.

    >>> "smart-health-elderly-care-2023" in bundled_campaigns()
    True
    """
    folder = _bundled_folder()
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            entry.name.rsplit(".", 1)[0]
            for entry in folder.iterdir()
            if entry.is_file() and entry.name.endswith(_SUFFIXES)
        )
    )


def campaign_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the campaign file format, as shipped with pilotflow.

    Editors use it to check and complete campaign files as they are written (see
    ``docs/campaign-format.md``, "Editing with a schema"; ``pilotflow campaign schema`` prints
    it). It describes every key and its shape, bounds and choices; what it cannot say (codes
    declared elsewhere in the file, the authority graph, deadline order) only
    :func:`load_campaign` checks. Each call returns a fresh dict.

    >>> schema = campaign_schema()
    >>> schema["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    >>> schema["required"][:3], "quotas" in schema["properties"]
    (['id', 'title', 'year'], True)
    """
    text = resources.files(_BUNDLED_PACKAGE).joinpath(*_SCHEMA).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_campaign(source: str | os.PathLike[str], *, graph: AuthorityGraph | None = None) -> Campaign:
    """Load and validate a campaign from a YAML file or a bundled campaign id.

    ``source`` is a path when it is an ``os.PathLike``, ends in ``.yaml``/``.yml`` or contains
    a path separator; otherwise it is the id of a bundled campaign (see
    :func:`bundled_campaigns`). Authority codes are checked against ``graph`` (the bundled
    graph by default). ``Campaign.source`` is the path as given, or ``bundled:<id>``.

    Only a regular file of at most 1 MiB is read (see ``docs/campaign-format.md``, Limits).
    Raises :class:`~pilotflow.errors.CampaignFileError` when the file cannot be read or is
    invalid, and :class:`~pilotflow.errors.InvalidInput` for an argument of the wrong type.
    """
    graph = _graph_argument(graph)
    if isinstance(source, str) and not _looks_like_path(source):
        return parse_campaign(_read_bundled(source), source=f"bundled:{source}", graph=graph)
    if not isinstance(source, (str, os.PathLike)):
        raise wrong_argument(
            "source",
            "a bundled campaign id or a path (a str or an os.PathLike)",
            "内置遴选编号或文件路径（字符串或路径对象）",
            source,
        )
    path = fs_path(source, "source")
    text = read_text(
        path, limit=CAMPAIGN_FILE_MAX_BYTES, encoding="utf-8", what=("campaign file", "遴选定义文件")
    )
    return parse_campaign(text, source=path, graph=graph)


def parse_campaign(text: str, *, source: str = "<string>", graph: AuthorityGraph | None = None) -> Campaign:
    """Parse and validate a campaign definition given as YAML text.

    ``source`` names the text in error messages and becomes ``Campaign.source``. The text is
    held to the limits of a campaign file (see ``docs/campaign-format.md``, Limits).
    """
    if not isinstance(text, str):
        raise wrong_argument("text", "the YAML text (a str)", "YAML 文本（字符串）", text)
    text = str(text)  # a subclass of str reads as the plain text it holds
    if not isinstance(source, str):
        raise wrong_argument("source", "a name for the text (a str)", "文本的名称（字符串）", source)
    if len(source) > MAX_PATH:  # (every problem names it)
        raise InvalidInput(
            f"source has {len(source)} characters; at most {MAX_PATH} are allowed",
            f"source（文本的名称）长度为 {len(source)} 个字符，最多允许 {MAX_PATH} 个",
        )
    return _Reader(source, _graph_argument(graph)).read(text)


def _graph_argument(graph: object) -> AuthorityGraph:
    if graph is None:
        return AuthorityGraph.bundled()
    if not isinstance(graph, AuthorityGraph):
        raise wrong_argument(
            "graph", "an AuthorityGraph or None", "机关关系图（AuthorityGraph）或 None", graph
        )
    return graph


# -- files ------------------------------------------------------------------------------


def _looks_like_path(source: str) -> bool:
    return (
        source.endswith(_SUFFIXES)
        or "/" in source
        or os.sep in source
        or (os.altsep is not None and os.altsep in source)
    )


def _bundled_folder() -> Traversable:
    return resources.files(_BUNDLED_PACKAGE).joinpath(*_BUNDLED_DIR)


def _read_bundled(campaign_id: str) -> str:
    known = bundled_campaigns()
    if campaign_id not in known:
        listed = ", ".join(known) or "none"
        raise CampaignFileError(
            f"bundled:{short(campaign_id)[1:-1]}",
            "",
            f"no bundled campaign with id {short(campaign_id)} and not a path to a .yaml file "
            f"(bundled campaigns: {listed})",
            f"没有编号为 {short(campaign_id)} 的内置遴选，也不是 .yaml 文件路径（内置遴选：{listed}）",
        )
    folder = _bundled_folder()
    for suffix in _SUFFIXES:
        entry = folder.joinpath(campaign_id + suffix)
        if entry.is_file():
            return entry.read_text(encoding="utf-8")
    raise AssertionError(f"bundled campaign {campaign_id!r} vanished")  # pragma: no cover
