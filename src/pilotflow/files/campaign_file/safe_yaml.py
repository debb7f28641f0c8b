"""YAML text to plain data, with every cost of the text bounded (the only module here that
imports PyYAML).

:func:`load_document` refuses a text that is not Unicode or larger than a campaign file may
be, then composes it with a bounded loader (:data:`MAX_NODES` nodes, :data:`MAX_DEPTH` levels,
integer literals of at most :data:`MAX_NUMBER_CHARS` characters), checks the node graph for
duplicate keys, alias cycles and its size once aliases are expanded (:data:`MAX_NODES`,
:data:`MAX_TEXT`, :data:`MAX_DEPTH`), and only then builds the Python data. Dates and times
stay the strings they were written as.

The loaders, fastest first, are in :data:`_LOADERS`; the first one is used (the tests and
the benchmark set it to one loader at a time).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NoReturn

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .._io import CAMPAIGN_FILE_MAX_BYTES, size_text
from .messages import Refusals, clean, join, short

MAX_NODES = 50_000
"""The most nodes (keys, values, list items) a campaign document may hold once every alias
is expanded: an alias counts as everything it stands for (the bundled campaign has 666)."""

MAX_TEXT = 4 * 1024 * 1024
"""The most characters of scalar text (keys and values) a campaign document may hold once
every alias is expanded (4 Mi characters)."""

MAX_DEPTH = 32
"""How deep a campaign document may nest, counting the top mapping as 1 and a key or value
inside it as 2 (the bundled campaign reaches 6)."""

MAX_NUMBER_CHARS = 64
"""The longest integer literal read: no number a campaign needs is longer."""

_TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep", f"嵌套超过 {MAX_DEPTH} 层")
_TOO_MANY = (
    f"more than {MAX_NODES:,} nodes (keys, values and list items)",
    f"节点（键、值和列表项）超过 {MAX_NODES:,} 个",
)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_LONG_TOKEN = re.compile(r"'([^']{38,})'?")  # a quoted token of a parser's message, cut to 40

# Dates and times are left as the strings they were written as: deadlines are read by this
# package (naive date-times must be refused, and the text is kept as written), and the document
# stays plain JSON data for the revision hash.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_IMPLICIT_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# -- the loaders ------------------------------------------------------------------------


class _TooLarge(yaml.MarkedYAMLError):
    """The document goes past :data:`MAX_NODES` or :data:`MAX_DEPTH` while it is composed."""

    def __init__(self, mark: yaml.Mark | None, en: str, zh: str) -> None:
        super().__init__(problem=en, problem_mark=mark)
        self.zh = zh


class _Bounded:
    """The composer both loaders share: it counts nodes and depth as it builds the node graph,
    so a deep or huge document stops early, before Python's recursion limit or memory is
    reached (aliases are counted once here; :meth:`_Document._check_tree` counts what they
    stand for)."""

    _nodes = 0
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        self._nodes += 1
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooLarge(event.start_mark, *_TOO_DEEP)
            if self._nodes > MAX_NODES:
                raise _TooLarge(event.start_mark, *_TOO_MANY)
            return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1


class _NotDecimal(yaml.MarkedYAMLError):
    """A number written other than in decimal digits."""

    def __init__(self, mark: yaml.Mark | None, value: str) -> None:
        super().__init__(
            problem=f"{short(value)} is not a number written in decimal (YAML 1.1 reads 010 as 8, "
            "0x10 as 16, 1:30 as 90): write it in decimal digits, or quote it if it is text",
            problem_mark=mark,
        )
        self.zh = (
            f"{short(value)} 不是以十进制书写的数字（YAML 会把 010 读作 8、0x10 读作 16、1:30 读作 90）："
            "请以十进制书写，如为文本请加引号"
        )


#: An integer as a campaign file writes one: decimal digits (``_`` may group them), no
#: leading zero, a sign at most.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")


def _construct_int(loader: Any, node: yaml.Node) -> Any:
    """An integer, read only from a literal of at most ``MAX_NUMBER_CHARS`` characters (a
    base-60 literal of thousands of parts would take minutes to convert), in decimal digits:
    the octal, hexadecimal, binary and base-60 forms YAML 1.1 reads are refused (a quota
    written ``010`` was a limit of 8)."""
    value = node.value
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer written with more than {MAX_NUMBER_CHARS} characters", node.start_mark
        )
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise _NotDecimal(node.start_mark, value)
    return SafeConstructor.construct_yaml_int(loader, node)  # type: ignore[arg-type]


def _construct_float(loader: Any, node: yaml.Node) -> Any:
    """A number with a fraction, unless it is written in base 60 (``1:30.0`` is 90.0 in YAML
    1.1), as an integer may not be."""
    if isinstance(node.value, str) and ":" in node.value:
        raise _NotDecimal(node.start_mark, node.value)
    return SafeConstructor.construct_yaml_float(loader, node)  # type: ignore[arg-type]


class _PyLoader(_Bounded, yaml.SafeLoader):
    """``SafeLoader`` (pure Python) with the bounds of :class:`_Bounded`."""


_PyLoader.yaml_implicit_resolvers = _IMPLICIT_RESOLVERS
_PyLoader.add_constructor(_INT, _construct_int)
_PyLoader.add_constructor(_FLOAT, _construct_float)
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
    _CLoader.add_constructor(_FLOAT, _construct_float)
    _LOADERS = (_CLoader, _PyLoader)


# -- one document -----------------------------------------------------------------------


def load_document(text: str, source: str) -> object:
    """The data of the YAML document ``text`` (of the file ``source``), checked for size,
    depth, aliases and duplicate keys; any refusal is a ``CampaignFileError``."""
    return _Document(source).load(text)


def _at(line: int, column: int) -> tuple[str, str]:
    """`` at line L, column C`` (both counted from 1) in English and Chinese."""
    return f" at line {line}, column {column}", f"（第 {line} 行第 {column} 列）"


def _where(text: str, position: int) -> tuple[str, str]:
    """Where character ``position`` of ``text`` is, as :func:`_at` says it."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return _at(line, column)


class _Document(Refusals):
    """Loads one document; every refusal names the source and, where it can, the key path."""

    def load(self, text: str) -> object:
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
        try:  # the pure-Python reader checks the characters as the loader is made
            loader = _LOADERS[0](text)
        except yaml.YAMLError as exc:
            self._yaml_error(exc, text)
        try:
            try:
                node = loader.get_single_node()
            except yaml.YAMLError as exc:
                self._yaml_error(exc, text)
            if node is None:
                self.fail("", "the document is empty", "文件内容为空")
            self._check_tree(node)
            try:
                return loader.construct_document(node)
            except yaml.YAMLError as exc:
                self._yaml_error(exc, text)
            except (ValueError, TypeError, OverflowError) as exc:
                self.fail(
                    "",
                    f"a value cannot be read ({clean(str(exc))})",
                    "文件中有无法读取的值（请检查显式标签，如 !!int、!!float）",
                )
        finally:
            loader.dispose()

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
        where, where_zh = _at(mark.line + 1, mark.column + 1) if mark else ("", "")
        if isinstance(exc, _TooLarge):
            self.fail(
                "",
                f"the document goes past a limit{where}: {exc.problem}",
                f"文件超出限制{where_zh}：{exc.zh}",
            )
        if isinstance(exc, _NotDecimal):
            self.fail("", f"not valid YAML{where}: {exc.problem}", f"不是有效的 YAML{where_zh}：{exc.zh}")
        problem = _LONG_TOKEN.sub(
            lambda m: f"'{m[1][:34]}...'", clean(getattr(exc, "problem", None) or type(exc).__name__, 200)
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
                    too_large(path, *_TOO_DEEP)
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
                            path, f"{_TOO_MANY[0]} once aliases are expanded", f"展开别名后{_TOO_MANY[1]}"
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
                too_large(path, *_TOO_DEEP)
            return sizes

        visit(root, "", 1)

    def _children(self, node: yaml.Node, path: str) -> Iterable[tuple[yaml.Node, str]]:
        """The child nodes of ``node`` with their key paths; duplicate keys are refused."""
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
                child = join(path, key if key is not None else "?")
                if key is not None:
                    line = key_node.start_mark.line + 1
                    if key in seen:
                        self.fail(
                            child,
                            f"duplicate key {short(key)} (line {line}; first given on line {seen[key]})",
                            f"键 {short(key)} 重复（第 {line} 行；首次出现在第 {seen[key]} 行）",
                        )
                    seen[key] = line
                yield key_node, child
                yield value_node, child
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield item, f"{path}[{index}]"
