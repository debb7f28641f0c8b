"""Campaign definitions in YAML: loading and validation.

A campaign is data, not code: ``load_campaign("smart-health-elderly-care-2023")`` reads the
bundled definition of the 2023 smart health and elderly-care campaign, ``load_campaign(path)``
reads your own. The format is documented in ``docs/campaign-format.md``.

Everything is validated before a :class:`~pilotflow.campaign.Campaign` is returned, and a
bad file is refused with a :class:`~pilotflow.errors.CampaignFileError` that names the file,
the key path inside it (``quotas[2].limits.enterprise``) and the problem in English and
Chinese: unknown keys (typos), missing keys, wrong types, unknown authorities, levels, kinds,
unit types and materials, negative quotas, naive or unreadable deadlines, duplicate codes, and
deadlines that would close earlier further up a route than below it.

>>> campaign = load_campaign("smart-health-elderly-care-2023")
>>> campaign.year, campaign.level_codes
(2023, ('district', 'city', 'province', 'ministry'))
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
import re
import reprlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, NoReturn

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from ..domain import rules
from ..domain.authorities import AuthorityGraph
from ..domain.calendar import by_date, parse_moment, zone
from ..domain.campaign import (
    DEFAULT_CLOCK_TOLERANCE_SECONDS,
    MAX_CLOCK_TOLERANCE_SECONDS,
    YEARS,
    Campaign,
    HopRule,
    Level,
    MaterialRequirement,
    MaterialType,
    MinistryRules,
    NoticeRules,
    QuotaRule,
    Ranking,
    ReportingRule,
    ReReviewRules,
    Scenario,
    Selector,
    Text,
    UnitType,
)
from ..domain.records import MAX_COPIES
from ..errors import CampaignFileError, InvalidInput, NaiveDatetime, PilotflowError
from ._io import (
    CAMPAIGN_FILE_MAX_BYTES,
    MOMENT_YEARS,
    fs_path,
    read_text,
    size_text,
    wrong_argument,
)

__all__ = ["bundled_campaigns", "load_campaign", "parse_campaign"]

_BUNDLED_PACKAGE = "pilotflow"
_BUNDLED_DIR = ("data", "campaigns")
_SUFFIXES = (".yaml", ".yml")

DEADLINE_RULES: Mapping[str, bool] = {"end_of_day": True, "start_of_day": False}
"""``deadline_rule`` values and whether the named day is still in time (inclusive)."""

ROUNDINGS: tuple[str, ...] = tuple(rules.ROUNDINGS)  # the rule lives in the domain

_LEVEL_NAMES: Mapping[str, Text] = {
    "district": Text("district / county level", "区县级"),
    "city": Text("city level", "市级"),
    "province": Text("province level", "省级"),
    "ministry": Text("ministry level", "部级"),
}

_TOP_KEYS_REQUIRED = ("id", "title", "year", "timezone", "levels", "departments", "unit_types")
_TOP_KEYS_OPTIONAL = (
    "deadline_rule",
    "clock_tolerance_seconds",
    "documents",
    "scenario_groups",
    "scenarios",
    "materials",
    "reporting",
    "quotas",
    "hops",
    "screening_lists",
    "priority_lists",
    "ranking",
    "notice",
    "ministry",
    "re_review",
)
_INFO = ("source", "note")
_LISTED = 30  # the most choices an error message lists
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_LONG_TOKEN = re.compile(r"'([^']{38,})'?")  # a quoted token of a parser's message, cut to 40
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxset = 2, 3, 3, 3
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"\d{4}")  # an ISO 8601 date-time starts with its year


# -- bounds -----------------------------------------------------------------------------
# Every number a campaign file gives is refused outside its bounds (both included), at its
# key path, so that nothing overflows later: the stores keep seat counters and batches in
# PostgreSQL INTEGER columns (at most 2**31 - 1) and moments as microseconds since 1970 in
# BIGINT ones, and Python dates end in the year 9999. The years of moments (MOMENT_YEARS)
# are in _files.py, shared with lists of units. docs/campaign-format.md lists them all.

# YEARS (``year`` and every year of ``re_review.batches``) is the model's: campaign.py.

QUOTAS = (0, 10**9)
"""``quotas[].limits.<unit type>`` and ``quotas[].total``."""

COPIES = (1, MAX_COPIES)
"""``copies`` of a material requirement (``hops[].materials``, ``re_review_materials``)."""

WORKING_DAYS = (1, 365)
"""``notice.working_days``."""

EXPERTS = (1, 1000)
"""``ministry.min_experts``."""

VIDEO_SECONDS = (1, 86_400)
"""``re_review.video_seconds`` (at most a day)."""

VIDEO_TOLERANCE = (0, 86_400)
"""``re_review.video_tolerance_seconds``."""


# -- public functions -------------------------------------------------------------------


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
    reader = _Reader(source, _graph_argument(graph))
    document = reader.load(text)
    campaign = reader.campaign(document)
    reader.check_routes(campaign)
    return campaign


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
            f"bundled:{campaign_id}",
            "",
            f"no bundled campaign with id {_short(campaign_id)} and not a path to a .yaml file "
            f"(bundled campaigns: {listed})",
            f"没有编号为 {_short(campaign_id)} 的内置遴选，也不是 .yaml 文件路径（内置遴选：{listed}）",
        )
    folder = _bundled_folder()
    for suffix in _SUFFIXES:
        entry = folder.joinpath(campaign_id + suffix)
        if entry.is_file():
            return entry.read_text(encoding="utf-8")
    raise AssertionError(f"bundled campaign {campaign_id!r} vanished")  # pragma: no cover


# -- YAML -------------------------------------------------------------------------------

MAX_NODES = 50_000
"""The most nodes (keys, values, list items) a campaign document may hold once every alias
is expanded: an alias counts as everything it stands for (the bundled campaign has 666)."""

MAX_TEXT = 4 * 1024 * 1024
"""The most characters of scalar text (keys and values) a campaign document may hold once
every alias is expanded (4 Mi characters)."""

MAX_DEPTH = 32
"""How deep a campaign document may nest, counting the top mapping as 1 and a key or value
inside it as 2 (the bundled campaign reaches 6)."""

MAX_RULES = 500
"""The most rules each of ``quotas``, ``hops`` and ``reporting`` may list: every route of the
authority graph is checked against them when the file is loaded."""

MAX_NUMBER_CHARS = 64
"""The longest integer literal read: no number a campaign needs is longer."""

# Dates and times are left as the strings they were written as: deadlines are read by this
# module (naive date-times must be refused, and the text is kept as written), and the document
# stays plain JSON data for the revision hash.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_IMPLICIT_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _TooLarge(yaml.MarkedYAMLError):
    """The document goes past :data:`MAX_NODES` or :data:`MAX_DEPTH` while it is composed."""

    def __init__(self, mark: yaml.Mark | None, en: str, zh: str) -> None:
        super().__init__(problem=en, problem_mark=mark)
        self.zh = zh


class _Bounded:
    """The composer both loaders share: it counts nodes and depth as it builds the node graph,
    so a deep or huge document stops early, before Python's recursion limit or memory is
    reached (aliases are counted once here; :meth:`_Reader._check_tree` counts what they
    stand for)."""

    _nodes = 0
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        self._nodes += 1
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooLarge(
                    event.start_mark,
                    f"nested more than {MAX_DEPTH} levels deep",
                    f"嵌套超过 {MAX_DEPTH} 层",
                )
            if self._nodes > MAX_NODES:
                raise _TooLarge(
                    event.start_mark,
                    f"more than {MAX_NODES:,} nodes (keys, values and list items)",
                    f"节点（键、值和列表项）超过 {MAX_NODES:,} 个",
                )
            return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1


def _construct_int(loader: Any, node: yaml.Node) -> Any:
    """An integer, read only from a literal of at most ``MAX_NUMBER_CHARS`` characters (a
    base-60 literal of thousands of parts would take minutes to convert)."""
    value = node.value
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer written with more than {MAX_NUMBER_CHARS} characters", node.start_mark
        )
    return SafeConstructor.construct_yaml_int(loader, node)  # type: ignore[arg-type]


class _PyLoader(_Bounded, yaml.SafeLoader):
    """``SafeLoader`` (pure Python) with the bounds of :class:`_Bounded`."""


_PyLoader.yaml_implicit_resolvers = _IMPLICIT_RESOLVERS
_PyLoader.add_constructor(_INT, _construct_int)
_LOADERS: tuple[type[Any], ...] = (_PyLoader,)

if yaml.__with_libyaml__:  # pragma: no branch - the wheels ship libyaml
    from yaml._yaml import CParser

    class _CLoader(_Bounded, Composer, CParser, SafeConstructor, Resolver):
        """libyaml scans and parses (several times faster); the composer is the bounded
        Python one above, so the limits hold alike."""

        def __init__(self, stream: str | bytes) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _CLoader.yaml_implicit_resolvers = _IMPLICIT_RESOLVERS
    _CLoader.add_constructor(_INT, _construct_int)
    _LOADERS = (_CLoader, _PyLoader)


def _join(path: str, key: object) -> str:
    name = _clean(key if isinstance(key, str) else str(key), 40)
    return f"{path}.{name}" if path else name


def _clean(text: str, limit: int = 80) -> str:
    """``text`` for a message: every non-printable character escaped (no raw control
    character reaches a terminal), cut to about ``limit`` characters."""
    cut = text[:limit]
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    if len(escaped) > limit or len(text) > limit:
        return escaped[: limit - 3] + "..."
    return escaped


def _where(text: str, position: int) -> tuple[str, str]:
    """`` at line L, column C`` of character ``position`` of ``text``, in English and Chinese."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f" at line {line}, column {column}", f"（第 {line} 行第 {column} 列）"


def _describe(value: object) -> tuple[str, str]:
    """The YAML type name of ``value`` in English and Chinese."""
    if value is None:
        return "null", "空值"
    if isinstance(value, bool):
        return "a boolean", "布尔值"
    if isinstance(value, int):
        return "an integer", "整数"
    if isinstance(value, float):
        return "a number", "数值"
    if isinstance(value, str):
        return "a string", "字符串"
    if isinstance(value, dict):
        return "a mapping", "映射"
    if isinstance(value, list):
        return "a list", "列表"
    return type(value).__name__, type(value).__name__


def _short(value: object, limit: int = 40) -> str:
    """``value`` as a short token for a message: a bounded ``repr`` (strings quoted, every
    control character escaped, containers cut after a few items), at most ``limit``
    characters. A message never quotes more of a file than this."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggest(word: str, choices: Iterable[str]) -> tuple[str, str]:
    if len(word) > 100:
        return "", ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" (did you mean {_short(close[0])}?)", f"（是否应为 {_short(close[0])}？）"


# -- the reader -------------------------------------------------------------------------


class _Reader:
    """Reads one document; every check reports its key path."""

    def __init__(self, source: str, graph: AuthorityGraph) -> None:
        self.source = source
        self.graph = graph
        self.levels: tuple[str, ...] = ()
        self.unit_types: Mapping[str, UnitType] = {}
        self.materials: Mapping[str, MaterialType] = {}
        self.documents: frozenset[str] = frozenset()
        self.timezone = ""
        self.inclusive = True
        self.hop_paths: dict[int, str] = {}

    def fail(self, path: str, en: str, zh: str) -> NoReturn:
        raise CampaignFileError(self.source, path, en, zh)

    # -- loading ------------------------------------------------------------------------

    def load(self, text: str) -> dict[str, Any]:
        """The document of ``text``, checked for size, depth, aliases and duplicate keys."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            self.fail(
                "",
                f"the text is not valid Unicode (a lone surrogate at character {exc.start})",
                f"文本含有无效的 Unicode 字符（第 {exc.start} 个字符处）",
            )
        if len(data) > CAMPAIGN_FILE_MAX_BYTES:
            limit = size_text(CAMPAIGN_FILE_MAX_BYTES)
            self.fail(
                "",
                f"the text is larger than {limit}, the most a campaign file may be",
                f"文本超过遴选定义文件的大小上限（{limit}）",
            )
        loader = _LOADERS[0](text)
        try:
            try:
                node = loader.get_single_node()
            except yaml.YAMLError as exc:
                self._yaml_error(exc, text)
            if node is None:
                self.fail("", "the document is empty", "文件内容为空")
            self._check_tree(node)
            try:
                document = loader.construct_document(node)
            except yaml.YAMLError as exc:
                self._yaml_error(exc, text)
            except (ValueError, TypeError, OverflowError) as exc:
                self.fail(
                    "",
                    f"a value cannot be read ({_clean(str(exc))})",
                    "文件中有无法读取的值（请检查显式标签，如 !!int、!!float）",
                )
        finally:
            loader.dispose()
        if not isinstance(document, dict):
            en, zh = _describe(document)
            self.fail(
                "",
                f"expected a mapping (key: value) at the top of the file, got {en}",
                f"文件顶层应为映射（键: 值），实际为{zh}",
            )
        return self.mapping(document, "", _TOP_KEYS_REQUIRED, _TOP_KEYS_OPTIONAL)

    def _yaml_error(self, exc: yaml.YAMLError, text: str) -> NoReturn:
        """Say what is wrong and where, without quoting the file (only a short token)."""
        if isinstance(exc, yaml.reader.ReaderError):
            match = _NON_PRINTABLE.search(text)
            where, where_zh = _where(text, match.start()) if match else ("", "")
            code = f" (U+{exc.character:04X})" if isinstance(exc.character, int) else ""
            self.fail(
                "",
                f"not valid YAML{where}: a control character or other character YAML does not allow{code}",
                f"不是有效的 YAML{where_zh}：含有 YAML 不允许的控制字符或其他字符",
            )
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        where_zh = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else ""
        if isinstance(exc, _TooLarge):
            self.fail(
                "",
                f"the document goes past a limit{where}: {exc.problem}",
                f"文件超出限制{where_zh}：{exc.zh}",
            )
        problem = _LONG_TOKEN.sub(
            lambda m: f"'{m[1][:34]}...'", _clean(getattr(exc, "problem", None) or type(exc).__name__, 200)
        )
        self.fail("", f"not valid YAML{where}: {problem}", f"不是有效的 YAML{where_zh}")

    def _check_tree(self, root: yaml.Node) -> None:
        """Refuse a key given twice in one mapping (plain YAML keeps the last silently), an
        alias cycle, and a document that is too large or too deep once aliases are expanded.

        Each node is walked once, however many aliases share it: its expanded size and
        height are remembered by identity, so a "billion laughs" document costs as much as
        its text, and is refused as soon as a shared subtree counts more than ``MAX_NODES``.
        """
        known: dict[int, tuple[int, int, int]] = {}  # id(node) -> (nodes, height, characters)
        active: set[int] = set()

        def too_large(path: str, en: str, zh: str) -> NoReturn:
            self.fail(path, f"the document goes past a limit: {en}", f"文件超出限制：{zh}")

        def visit(node: yaml.Node, path: str, level: int) -> tuple[int, int, int]:
            ident = id(node)
            sizes = known.get(ident)
            if sizes is None:
                if ident in active:
                    self.fail(
                        path,
                        "an alias refers to a node that contains it (a cycle)",
                        "别名引用了包含它自身的节点（循环引用）",
                    )
                if level > MAX_DEPTH:
                    too_large(path, f"nested more than {MAX_DEPTH} levels deep", f"嵌套超过 {MAX_DEPTH} 层")
                active.add(ident)
                nodes, height = 1, 1
                chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
                for child, child_path in self._children(node, path):
                    child_nodes, child_height, child_chars = visit(child, child_path, level + 1)
                    nodes += child_nodes
                    chars += child_chars
                    height = max(height, child_height + 1)
                    if nodes > MAX_NODES:
                        too_large(
                            path,
                            f"more than {MAX_NODES:,} nodes (keys, values and list items) once "
                            "aliases are expanded",
                            f"展开别名后节点（键、值和列表项）超过 {MAX_NODES:,} 个",
                        )
                    if chars > MAX_TEXT:
                        too_large(
                            path,
                            f"more than {MAX_TEXT // 1024 // 1024} MiB of text once aliases are expanded",
                            f"展开别名后文本超过 {MAX_TEXT // 1024 // 1024} MiB",
                        )
                active.discard(ident)
                sizes = known[ident] = (nodes, height, chars)
            if level + sizes[1] - 1 > MAX_DEPTH:
                too_large(path, f"nested more than {MAX_DEPTH} levels deep", f"嵌套超过 {MAX_DEPTH} 层")
            return sizes

        visit(root, "", 1)

    def _children(self, node: yaml.Node, path: str) -> Iterable[tuple[yaml.Node, str]]:
        """The child nodes of ``node`` with their key paths; duplicate keys are refused."""
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
                child = _join(path, key if key is not None else "?")
                if key is not None:
                    line = key_node.start_mark.line + 1
                    if key in seen:
                        self.fail(
                            child,
                            f"duplicate key {_short(key)} (line {line}; first given on line {seen[key]})",
                            f"键 {_short(key)} 重复（第 {line} 行；首次出现在第 {seen[key]} 行）",
                        )
                    seen[key] = line
                yield key_node, child
                yield value_node, child
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield item, f"{path}[{index}]"

    # -- generic shapes -----------------------------------------------------------------

    def wrong_type(self, path: str, expected_en: str, expected_zh: str, value: object) -> NoReturn:
        en, zh = _describe(value)
        self.fail(
            path,
            f"expected {expected_en}, got {en} {_short(value)}",
            f"应为{expected_zh}，实际为{zh} {_short(value)}",
        )

    def mapping(
        self,
        value: object,
        path: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> dict[str, Any]:
        """``value`` as a mapping with exactly the keys allowed; unknown keys are refused."""
        if not isinstance(value, dict):
            self.wrong_type(path, "a mapping (key: value)", "映射（键: 值）", value)
        allowed = (*required, *optional)
        for key in value:
            if not isinstance(key, str):
                self.wrong_type(_join(path, key), "a string key", "字符串键", key)
            if key not in allowed:
                hint_en, hint_zh = _suggest(key, allowed)
                self.fail(
                    _join(path, key),
                    f"unknown key {_short(key)}{hint_en}; allowed keys: {', '.join(allowed)}",
                    f"未知的键 {_short(key)}{hint_zh}；允许的键：{'、'.join(allowed)}",
                )
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key {_short(key)}", f"缺少必填的键 {_short(key)}")
        return value

    def entries(self, value: object, path: str) -> dict[str, Any]:
        """A mapping from codes (non-empty strings) to entries."""
        if not isinstance(value, dict):
            self.wrong_type(path, "a mapping of codes to entries", "以代码为键的映射", value)
        for key in value:
            if not isinstance(key, str) or not key:
                self.wrong_type(_join(path, key), "a code (a string)", "代码（字符串）", key)
        return value

    def sequence(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.wrong_type(path, "a list", "列表", value)
        return value

    def rules(self, value: object, path: str) -> list[Any]:
        """A list of rules (``quotas``, ``hops``, ``reporting``): at most ``MAX_RULES``."""
        items = self.sequence(value, path)
        if len(items) > MAX_RULES:
            self.fail(
                path,
                f"more than {MAX_RULES} rules ({len(items)})",
                f"规则超过 {MAX_RULES} 条（共 {len(items)} 条）",
            )
        return items

    def string(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            self.wrong_type(path, "a string", "字符串", value)
        if not value.strip():
            self.fail(path, "must not be empty", "不能为空")
        return value

    def integer(self, value: object, path: str, bounds: tuple[int, int]) -> int:
        """An integer within ``bounds`` (both included); see the bounds at the top."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(path, "an integer", "整数", value)
        low, high = bounds
        if value < low:
            if low == 0:
                self.fail(path, f"must not be negative, got {value}", f"不能为负数，实际为 {value}")
            self.fail(path, f"must be at least {low}, got {value}", f"不能小于 {low}，实际为 {value}")
        if value > high:
            self.fail(path, f"must be at most {high}, got {value}", f"不能大于 {high}，实际为 {value}")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.wrong_type(path, "true or false", "true 或 false", value)
        return value

    def text(self, entry: Mapping[str, Any], path: str) -> Text:
        return Text(
            en=self.string(entry["en"], _join(path, "en")),
            zh=self.string(entry["zh"], _join(path, "zh")),
        )

    def code(self, value: object, path: str) -> str:
        """An authority code: a string, or an integer for GB2260 codes written unquoted."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.string(value, path)

    def unique(self, values: Sequence[object], path: str, what_en: str, what_zh: str) -> None:
        seen: set[object] = set()
        for index, value in enumerate(values):
            if value in seen:
                self.fail(
                    f"{path}[{index}]",
                    f"duplicate {what_en} {_short(value)}",
                    f"{what_zh} {_short(value)} 重复",
                )
            seen.add(value)

    def choice(
        self,
        value: str,
        path: str,
        allowed: Collection[str],
        what_en: str,
        what_zh: str,
        where_en: str = "",
        where_zh: str = "",
    ) -> str:
        """``value`` if it is one of ``allowed``; the refusal lists them (a set sorted, any
        other collection in its own order)."""
        if value in allowed:
            return value
        options = sorted(allowed) if isinstance(allowed, (set, frozenset)) else list(allowed)
        hint_en, hint_zh = _suggest(value, options)
        shown = options[:_LISTED]
        more_en = f", ... ({len(options)} in all)" if len(options) > _LISTED else ""
        more_zh = f"……（共 {len(options)} 个）" if len(options) > _LISTED else ""
        self.fail(
            path,
            f"unknown {what_en} {_short(value)}{hint_en}{where_en}; known: {', '.join(shown)}{more_en}",
            f"未知的{what_zh} {_short(value)}{hint_zh}{where_zh}；可选：{'、'.join(shown)}{more_zh}",
        )

    def info(self, entry: Mapping[str, Any], path: str) -> str:
        """Check the informational ``source`` and ``note`` keys; return the source."""
        if "note" in entry:
            self.string(entry["note"], _join(path, "note"))
        if "source" not in entry:
            return ""
        src = self.string(entry["source"], _join(path, "source"))
        if self.documents and src not in self.documents:
            hint_en, hint_zh = _suggest(src, self.documents)
            self.fail(
                _join(path, "source"),
                f"source {_short(src)} is not one of the documents listed under 'documents'{hint_en}",
                f"来源文件 {_short(src)} 不在 documents 所列文件中{hint_zh}",
            )
        return src

    def named_entries(
        self, value: object, path: str, optional: Sequence[str] = ()
    ) -> dict[str, dict[str, Any]]:
        """Code → ``{en, zh, ...}`` entries, each checked for its keys."""
        out: dict[str, dict[str, Any]] = {}
        for key, entry in self.entries(value, path).items():
            out[key] = self.mapping(entry, _join(path, key), ("en", "zh"), optional)
        return out

    # -- the campaign -------------------------------------------------------------------

    def campaign(self, doc: dict[str, Any]) -> Campaign:
        campaign_id = self.string(doc["id"], "id")
        if not _ID.match(campaign_id):
            self.fail(
                "id",
                f"campaign id {_short(campaign_id)} must be lower-case letters, digits, '-' or '_'",
                f"遴选编号 {_short(campaign_id)} 只能由小写字母、数字、'-' 和 '_' 组成",
            )
        title = self.text(self.mapping(doc["title"], "title", ("en", "zh")), "title")
        year = self.integer(doc["year"], "year", YEARS)
        self.timezone = self._timezone(doc["timezone"])
        rule = self.string(doc.get("deadline_rule", "end_of_day"), "deadline_rule")
        self.inclusive = DEADLINE_RULES[
            self.choice(rule, "deadline_rule", DEADLINE_RULES, "deadline rule", "截止规则")
        ]
        tolerance = self.integer(
            doc.get("clock_tolerance_seconds", DEFAULT_CLOCK_TOLERANCE_SECONDS),
            "clock_tolerance_seconds",
            (0, MAX_CLOCK_TOLERANCE_SECONDS),
        )
        self.documents = self._documents(doc.get("documents", []))
        levels = self._levels(doc["levels"])
        self.levels = tuple(level.code for level in levels)
        departments = {
            code: self.text(entry, _join("departments", code))
            for code, entry in self.named_entries(doc["departments"], "departments").items()
        }
        if not departments:
            self.fail("departments", "at least one department is needed", "至少需要一个部门")
        self.unit_types = {
            code: UnitType(code, self.text(entry, _join("unit_types", code)))
            for code, entry in self.named_entries(doc["unit_types"], "unit_types").items()
        }
        if not self.unit_types:
            self.fail("unit_types", "at least one unit type is needed", "至少需要一种申报主体类型")
        scenarios = self._scenarios(doc.get("scenario_groups", {}), doc.get("scenarios", {}))
        self.materials = self._materials(doc.get("materials", {}))
        reporting = tuple(
            self._reporting(item, f"reporting[{i}]")
            for i, item in enumerate(self.rules(doc.get("reporting", []), "reporting"))
        )
        quotas = self._quotas(doc.get("quotas", []))
        hops = self._hops(doc.get("hops", []))
        screening = {
            code: self._listed(entry, _join("screening_lists", code))
            for code, entry in self.named_entries(
                doc.get("screening_lists", {}), "screening_lists", _INFO
            ).items()
        }
        priority = {
            code: self._listed(entry, _join("priority_lists", code))
            for code, entry in self.named_entries(
                doc.get("priority_lists", {}), "priority_lists", _INFO
            ).items()
        }
        return Campaign(
            id=campaign_id,
            title=title,
            year=year,
            timezone=self.timezone,
            deadline_inclusive=self.inclusive,
            clock_tolerance=timedelta(seconds=tolerance),
            levels=levels,
            departments=departments,
            unit_types=dict(self.unit_types),
            scenarios=scenarios,
            materials=dict(self.materials),
            reporting=reporting,
            quotas=quotas,
            hops=hops,
            screening_lists=screening,
            ranking=self._ranking(doc.get("ranking", {}), priority),
            notice=self._notice(doc.get("notice", {})),
            re_review=self._re_review(doc.get("re_review", {})),
            ministry=self._ministry(doc.get("ministry", {})),
            revision=self._revision(doc),
            source=self.source,
        )

    def _timezone(self, value: object) -> str:
        name = self.string(value, "timezone")
        try:
            zone(name)
        except InvalidInput:
            self.fail(
                "timezone",
                f"unknown time zone {_short(name)} (use an IANA name such as 'Asia/Shanghai')",
                f"未知的时区 {_short(name)}（请使用 IANA 时区名，如 'Asia/Shanghai'）",
            )
        return name

    def _documents(self, value: object) -> frozenset[str]:
        numbers: list[str] = []
        for index, item in enumerate(self.sequence(value, "documents")):
            path = f"documents[{index}]"
            entry = self.mapping(item, path, ("number",), ("date", "issuer", "title", "note"))
            numbers.append(self.string(entry["number"], _join(path, "number")))
            for key in ("issuer", "title", "note"):
                if key in entry:
                    self.string(entry[key], _join(path, key))
            if "date" in entry:
                self._date(entry["date"], _join(path, "date"))
        self.unique(numbers, "documents", "document number", "文件编号")
        return frozenset(numbers)

    def _date(self, value: object, path: str) -> date:
        text = self.string(value, path)
        try:
            if not _DATE.match(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(
                path,
                f"expected a date written YYYY-MM-DD, got {_short(text)}",
                f"应为 YYYY-MM-DD 格式的日期，实际为 {_short(text)}",
            )
        self._moment_year(day.year, text, path)
        return day

    def _moment_year(self, year: int, text: str, path: str) -> None:
        low, high = MOMENT_YEARS
        if not low <= year <= high:
            self.fail(
                path,
                f"the year of {_short(text)} must be from {low} to {high}",
                f"{_short(text)} 的年份必须在 {low} 至 {high} 年之间",
            )

    def _levels(self, value: object) -> tuple[Level, ...]:
        items = self.sequence(value, "levels")
        if not items:
            self.fail("levels", "at least one level is needed", "至少需要一个层级")
        levels: list[Level] = []
        for index, item in enumerate(items):
            path = f"levels[{index}]"
            if isinstance(item, dict):
                entry = self.mapping(item, path, ("code",), ("en", "zh"))
                code = self.string(entry["code"], _join(path, "code"))
                if ("en" in entry) != ("zh" in entry):
                    self.fail(
                        path,
                        "give both 'en' and 'zh' names, or neither",
                        "请同时给出 'en' 与 'zh' 名称，或都不给",
                    )
                name = self.text(entry, path) if "en" in entry else None
            else:
                code = self.string(item, path)
                name = None
            self.choice(code, path, self.graph.LEVELS, "level", "层级")
            levels.append(Level(code, name or _LEVEL_NAMES.get(code, Text(code, code))))
        codes = [level.code for level in levels]
        self.unique(codes, "levels", "level", "层级")
        order = self.graph.LEVELS
        for index in range(1, len(codes)):
            if order.index(codes[index]) < order.index(codes[index - 1]):
                self.fail(
                    f"levels[{index}]",
                    f"level {_short(codes[index])} comes after {_short(codes[index - 1])}; levels must be "
                    f"listed lowest first in the order {', '.join(order)}",
                    f"层级 {_short(codes[index])} 不应排在 {_short(codes[index - 1])} 之后；"
                    f"层级须自低到高按 {'、'.join(order)} 的顺序列出",
                )
        return tuple(levels)

    def _scenarios(self, groups_value: object, value: object) -> dict[str, Scenario]:
        groups = self.named_entries(groups_value, "scenario_groups")
        for code, entry in groups.items():
            self.text(entry, _join("scenario_groups", code))
        scenarios: dict[str, Scenario] = {}
        for code, entry in self.named_entries(value, "scenarios", ("group",)).items():
            path = _join("scenarios", code)
            if "group" not in entry:
                self.fail(path, "missing required key 'group'", "缺少必填的键 'group'")
            group = self.string(entry["group"], _join(path, "group"))
            if groups:
                self.choice(
                    group,
                    _join(path, "group"),
                    groups,
                    "scenario group",
                    "场景类别",
                    " (declare it under scenario_groups)",
                    "（请在 scenario_groups 中声明）",
                )
            scenarios[code] = Scenario(code, self.text(entry, path), group)
        return scenarios

    def _materials(self, value: object) -> dict[str, MaterialType]:
        out: dict[str, MaterialType] = {}
        for code, entry in self.named_entries(
            value, "materials", ("paper", "formats", "refuse_active_content")
        ).items():
            path = _join("materials", code)
            paper = self.boolean(entry.get("paper", False), _join(path, "paper"))
            formats = tuple(
                self.string(fmt, f"{path}.formats[{i}]")
                for i, fmt in enumerate(self.sequence(entry.get("formats", []), f"{path}.formats"))
            )
            self.unique(formats, _join(path, "formats"), "format", "格式")
            refuse = self.boolean(
                entry.get("refuse_active_content", False), _join(path, "refuse_active_content")
            )
            out[code] = MaterialType(code, self.text(entry, path), paper, formats, refuse)
        return out

    def _listed(self, entry: Mapping[str, Any], path: str) -> Text:
        self.info(entry, path)
        return self.text(entry, path)

    def _selector(self, value: object, path: str) -> Selector:
        entry = self.mapping(value, path, (), ("codes", "levels", "kinds", "within"))
        return Selector(
            codes=self._authorities(entry.get("codes", []), _join(path, "codes")),
            levels=self._choices(
                entry.get("levels", []),
                _join(path, "levels"),
                self.levels,
                "level",
                "层级",
                " (not one of this campaign's levels)",
                "（不是本次遴选的层级）",
            ),
            kinds=self._choices(
                entry.get("kinds", []), _join(path, "kinds"), self.graph.KINDS, "kind", "机关类别"
            ),
            within=self._authorities(entry.get("within", []), _join(path, "within")),
        )

    def _authorities(self, value: object, path: str) -> frozenset[str]:
        codes = [self._authority(item, f"{path}[{i}]") for i, item in enumerate(self.sequence(value, path))]
        self.unique(codes, path, "authority code", "机关代码")
        return frozenset(codes)

    def _authority(self, value: object, path: str) -> str:
        code = self.code(value, path)
        if code not in self.graph:
            self.fail(
                path,
                f"unknown authority code {_short(code)} (not in the authority graph)",
                f"未知的机关代码 {_short(code)}（机关关系图中没有）",
            )
        return code

    def _choices(
        self,
        value: object,
        path: str,
        allowed: Collection[str],
        what_en: str,
        what_zh: str,
        where_en: str = "",
        where_zh: str = "",
    ) -> frozenset[str]:
        items = self.sequence(value, path)
        chosen = [
            self.choice(
                self.string(item, f"{path}[{i}]"),
                f"{path}[{i}]",
                allowed,
                what_en,
                what_zh,
                where_en,
                where_zh,
            )
            for i, item in enumerate(items)
        ]
        self.unique(chosen, path, what_en, what_zh)
        return frozenset(chosen)

    def _unit_type(self, value: object, path: str) -> str:
        return self.choice(
            self.string(value, path),
            path,
            self.unit_types,
            "unit type",
            "申报主体类型",
            " (declare it under unit_types)",
            "（请在 unit_types 中声明）",
        )

    def _reporting(self, value: object, path: str) -> ReportingRule:
        entry = self.mapping(value, path, ("sender", "to"), _INFO)
        self.info(entry, path)
        sender = self._selector(entry["sender"], _join(path, "sender"))
        to = self._authority(entry["to"], _join(path, "to"))
        level = self.graph[to].level
        if level not in self.levels:
            self.fail(
                _join(path, "to"),
                f"authority {_short(to)} is at level {_short(level)}, which this campaign does not use",
                f"机关 {_short(to)} 所在层级 {_short(level)} 不在本次遴选的层级中",
            )
        return ReportingRule(sender=sender, to=to)

    def _quotas(self, value: object) -> tuple[QuotaRule, ...]:
        rules: list[QuotaRule] = []
        for index, item in enumerate(self.rules(value, "quotas")):
            path = f"quotas[{index}]"
            entry = self.mapping(item, path, ("name", "recommender"), ("limits", "total", *_INFO))
            self.info(entry, path)
            name = self.string(entry["name"], _join(path, "name"))
            recommender = self._selector(entry["recommender"], _join(path, "recommender"))
            limits: dict[str, int] = {}
            limits_path = _join(path, "limits")
            for unit_type, limit in self.entries(entry.get("limits", {}), limits_path).items():
                key_path = _join(limits_path, unit_type)
                self._unit_type(unit_type, key_path)
                limits[unit_type] = self.integer(limit, key_path, QUOTAS)
            total = entry.get("total")
            if total is not None:
                total = self.integer(total, _join(path, "total"), QUOTAS)
            rules.append(QuotaRule(name, recommender, limits, total))
        self.unique([rule.name for rule in rules], "quotas", "quota rule name", "名额规则名称")
        return tuple(rules)

    def _hops(self, value: object) -> tuple[HopRule, ...]:
        rules: list[HopRule] = []
        for index, item in enumerate(self.rules(value, "hops")):
            path = f"hops[{index}]"
            entry = self.mapping(
                item,
                path,
                ("name", "sender", "receiver"),
                ("deadline", "materials", "re_review_materials", *_INFO),
            )
            source = self.info(entry, path)
            deadline, deadline_text = self._deadline(entry.get("deadline"), _join(path, "deadline"))
            re_review = self._requirements(
                entry.get("re_review_materials", []), _join(path, "re_review_materials")
            )
            rule = HopRule(
                name=self.string(entry["name"], _join(path, "name")),
                sender=self._selector(entry["sender"], _join(path, "sender")),
                receiver=self._selector(entry["receiver"], _join(path, "receiver")),
                deadline=deadline,
                deadline_text=deadline_text,
                materials=self._requirements(entry.get("materials", []), _join(path, "materials")),
                re_review_materials=re_review,
                source=source,
            )
            self.hop_paths[id(rule)] = path
            rules.append(rule)
        self.unique([rule.name for rule in rules], "hops", "hop rule name", "报送规则名称")
        return tuple(rules)

    def _deadline(self, value: object, path: str) -> tuple[datetime | None, str]:
        if value is None:
            return None, ""
        text = self.string(value, path).strip()
        if _DATE.match(text):
            return by_date(self._date(text, path), inclusive=self.inclusive, timezone=self.timezone), text
        year = _YEAR.match(text)
        if year is None or len(text) > 64:  # ISO 8601 starts with the year; no moment is longer
            self._unreadable_deadline(text, path)
        self._moment_year(int(year.group()), text, path)  # before any arithmetic on it
        try:
            return parse_moment(text, path, self.timezone), text
        except NaiveDatetime:
            self.fail(
                path,
                f"deadline {_short(text)} has no UTC offset: write it as e.g. "
                f"{_short(text + '+08:00')}, or give a plain date (YYYY-MM-DD) read with deadline_rule",
                f"截止时间 {_short(text)} 没有时区偏移：请写成如 {_short(text + '+08:00')}，"
                "或只写日期（YYYY-MM-DD），按 deadline_rule 解释",
            )
        except (InvalidInput, ValueError, OverflowError):
            self._unreadable_deadline(text, path)

    def _unreadable_deadline(self, text: str, path: str) -> NoReturn:
        self.fail(
            path,
            f"cannot read deadline {_short(text)}: expected a date (YYYY-MM-DD) or an ISO 8601 "
            "date-time with an offset (2023-10-18T17:00:00+08:00)",
            f"无法解析截止时间 {_short(text)}：应为日期（YYYY-MM-DD）或带时区偏移的 ISO 8601 "
            "日期时间（如 2023-10-18T17:00:00+08:00）",
        )

    def _requirements(self, value: object, path: str) -> tuple[MaterialRequirement, ...]:
        out: list[MaterialRequirement] = []
        for index, item in enumerate(self.sequence(value, path)):
            item_path = f"{path}[{index}]"
            if isinstance(item, str):
                entry: dict[str, Any] = {"kind": item}
                kind_path = item_path
            else:
                entry = self.mapping(item, item_path, ("kind",), ("copies", "unit_types", "note"))
                kind_path = _join(item_path, "kind")
                if "note" in entry:
                    self.string(entry["note"], _join(item_path, "note"))
            kind = self.choice(
                self.string(entry["kind"], kind_path),
                kind_path,
                self.materials,
                "material kind",
                "材料类型",
                " (declare it under materials)",
                "（请在 materials 中声明）",
            )
            copies = self.integer(entry.get("copies", 1), _join(item_path, "copies"), COPIES)
            types_path = _join(item_path, "unit_types")
            unit_types = [
                self._unit_type(unit_type, f"{types_path}[{i}]")
                for i, unit_type in enumerate(self.sequence(entry.get("unit_types", []), types_path))
            ]
            self.unique(unit_types, types_path, "unit type", "申报主体类型")
            out.append(MaterialRequirement(kind, copies, frozenset(unit_types)))
        self.unique([req.kind for req in out], path, "material kind", "材料类型")
        return tuple(out)

    def _ranking(self, value: object, declared: Mapping[str, Text]) -> Ranking:
        entry = self.mapping(value, "ranking", (), ("priority_lists",))
        path = "ranking.priority_lists"
        ids = [
            self.choice(
                self.string(item, f"{path}[{i}]"),
                f"{path}[{i}]",
                declared,
                "priority list",
                "优先推荐名单",
                " (declare it under priority_lists)",
                "（请在 priority_lists 中声明）",
            )
            for i, item in enumerate(self.sequence(entry.get("priority_lists", []), path))
        ]
        self.unique(ids, path, "priority list", "优先推荐名单")
        return Ranking(priority_lists=tuple(ids))

    def _notice(self, value: object) -> NoticeRules:
        entry = self.mapping(value, "notice", (), ("working_days",))
        days = self.integer(entry.get("working_days", 5), "notice.working_days", WORKING_DAYS)
        return NoticeRules(working_days=days)

    def _ministry(self, value: object) -> MinistryRules:
        entry = self.mapping(
            value, "ministry", (), ("combine", "pass_score", "min_experts", "spot_check_rate", *_INFO)
        )
        self.info(entry, "ministry")
        combine = self.choice(
            self.string(entry.get("combine", "mean"), "ministry.combine"),
            "ministry.combine",
            rules.SCORE_RULES,
            "combine rule",
            "评分汇总方式",
        )
        score = entry.get("pass_score", 60)
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
            self.fail(
                "ministry.pass_score",
                f"pass_score must be a number from 0 to 100, got {_short(score)}",
                f"pass_score 必须是 0 到 100 之间的数值，实际为 {_short(score)}",
            )
        experts = self.integer(entry.get("min_experts", 3), "ministry.min_experts", EXPERTS)
        rate = entry.get("spot_check_rate", 0.2)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            self.fail(
                "ministry.spot_check_rate",
                f"spot_check_rate must be a number from 0 to 1, got {_short(rate)}",
                f"spot_check_rate 必须是 0 到 1 之间的数值，实际为 {_short(rate)}",
            )
        return MinistryRules(combine, float(score), experts, float(rate))

    def _re_review(self, value: object) -> ReReviewRules:
        entry = self.mapping(
            value,
            "re_review",
            (),
            ("batches", "max_share", "rounding", "video_seconds", "video_tolerance_seconds"),
        )
        batches = [
            self.integer(item, f"re_review.batches[{i}]", YEARS)
            for i, item in enumerate(self.sequence(entry.get("batches", []), "re_review.batches"))
        ]
        self.unique(batches, "re_review.batches", "batch", "批次")
        share = entry.get("max_share", 0.7)
        if isinstance(share, bool) or not isinstance(share, (int, float)):
            self.wrong_type("re_review.max_share", "a number", "数值", share)
        if not 0 < share <= 1:
            self.fail(
                "re_review.max_share",
                f"max_share must be greater than 0 and at most 1, got {share}",
                f"max_share 必须大于 0 且不超过 1，实际为 {share}",
            )
        rounding = self.choice(
            self.string(entry.get("rounding", "floor"), "re_review.rounding"),
            "re_review.rounding",
            ROUNDINGS,
            "rounding",
            "取整方式",
        )
        video: int | None = None
        tolerance: int | None = None
        if entry.get("video_seconds") is not None:
            video = self.integer(entry["video_seconds"], "re_review.video_seconds", VIDEO_SECONDS)
        if entry.get("video_tolerance_seconds") is not None:
            path = "re_review.video_tolerance_seconds"
            tolerance = self.integer(entry["video_tolerance_seconds"], path, VIDEO_TOLERANCE)
            if video is None:
                self.fail(
                    path,
                    "a video tolerance needs video_seconds",
                    "设置视频时长容差前须先设置 video_seconds",
                )
        return ReReviewRules(tuple(batches), float(share), rounding, video, tolerance)

    def _revision(self, doc: Mapping[str, Any]) -> str:
        try:
            dumped = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            self.fail(
                "",
                f"the document holds a value that is not plain data ({exc})",
                "文件含非纯数据的值",
            )
        return "sha256:" + hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]

    # -- routes -------------------------------------------------------------------------

    def check_routes(self, campaign: Campaign) -> None:
        """Hop deadlines never decrease along the route of any authority.

        Routes start at every authority of the campaign's lowest level, then at every
        authority of a campaign level that no earlier route passed (provinces without
        districts, central enterprises...). A route's tail is the route of the authority it
        passes, so each authority's route is walked once at most.
        """
        graph = self.graph
        lowest = campaign.levels[0].code
        levels = frozenset(campaign.level_codes)
        rules: dict[tuple[str, str], HopRule | None] = {}
        covered: set[str] = set()
        starts = [a for a in graph if a.level == lowest]
        starts += [a for a in graph if a.level != lowest and a.level in levels]
        for start in starts:
            if start.code in covered:
                continue
            try:
                route = graph.route(start.code, campaign)
            except PilotflowError as exc:
                self.fail(
                    "reporting",
                    f"cannot route {start.code} ({start.name}): {exc.en}",
                    f"无法确定 {start.code}（{start.name}）的推荐路线：{exc.zh}",
                )
            covered.update(route)
            previous: tuple[HopRule, str, str] | None = None
            for sender, receiver in itertools.pairwise(route):
                pair = (sender, receiver)
                if pair not in rules:
                    rules[pair] = campaign.hop_rule(graph[sender], graph[receiver])
                rule = rules[pair]
                if rule is None or rule.deadline is None:
                    continue
                if previous is not None:
                    before = previous[0].deadline
                    assert before is not None
                    if rule.deadline < before:
                        self._out_of_order(start.code, start.name, previous, (rule, *pair))
                previous = (rule, sender, receiver)

    def _out_of_order(
        self,
        origin: str,
        name: str,
        earlier: tuple[HopRule, str, str],
        later: tuple[HopRule, str, str],
    ) -> NoReturn:
        (rule1, s1, r1), (rule2, s2, r2) = earlier, later
        assert rule1.deadline is not None
        assert rule2.deadline is not None
        d1, d2 = rule1.deadline.isoformat(), rule2.deadline.isoformat()
        self.fail(
            _join(self.hop_paths.get(id(rule2), "hops"), "deadline"),
            f"deadlines out of order along the route of {origin} ({name}): hop "
            f"{_short(rule1.name)} ({s1} → {r1}) closes at {d1}, but the later hop {_short(rule2.name)} "
            f"({s2} → {r2}) closes earlier, at {d2}",
            f"{origin}（{name}）的推荐路线上截止时间先后颠倒：环节 {_short(rule1.name)}（{s1} → {r1}）"
            f"截止于 {d1}，而其后的环节 {_short(rule2.name)}（{s2} → {r2}）却更早截止于 {d2}",
        )
