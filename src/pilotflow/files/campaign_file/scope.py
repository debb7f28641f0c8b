"""What the sections of a campaign file refer to: the authority graph and what the file
declared in the sections read before (levels, unit types, materials, documents, time zone,
deadline rule), with the readers of references to them (authorities, selectors, unit types,
the ``source`` of a rule).

Each section module (``header``, ``levels``, ``materials``, ``routes``, ``deadlines``,
``quotas``, ``lists``, ``ministry``, ``re_review``, ``notice``) reads its section with a
:class:`Scope`, conventionally named ``r``; :class:`~.reader._Reader` fills the scope in as
it reads the sections in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.authorities import AuthorityGraph
from ...domain.campaign import MaterialType, Selector, UnitType
from .messages import join, short, suggest
from .values import Values

INFO = ("source", "note")
"""The informational keys any rule may give (checked by :meth:`Scope.info`)."""

UNIT_TYPE = ("unit type", "申报主体类型", " (declare it under unit_types)", "（请在 unit_types 中声明）")
"""How a refusal names a unit type (what it is, and where to declare it), for
:meth:`~.values.Values.choice`."""


class Scope(Values):
    """The generic readers, with what the file has declared so far."""

    def __init__(self, source: str, graph: AuthorityGraph) -> None:
        super().__init__(source)
        self.graph = graph
        self.levels: tuple[str, ...] = ()
        self.unit_types: Mapping[str, UnitType] = {}
        self.materials: Mapping[str, MaterialType] = {}
        self.documents: frozenset[str] = frozenset()
        self.timezone = ""
        self.inclusive = True
        self.format = 1  # the file's format (see reader.CAMPAIGN_FORMATS)
        self.hop_paths: dict[int, str] = {}  # id(hop rule) -> its key path, for the route check
        self.scenarios: Mapping[str, object] = {}
        self.list_ids: Mapping[str, object] = {}  # every list the file declares, by id

    def since_format(self, version: int, path: str) -> None:
        """Refuse the key at ``path`` unless the file is of format ``version`` or later (a key
        a format-1 file may not use; see docs/campaign-format.md, Upgrading)."""
        if self.format < version:
            self.fail(
                path,
                f"this key needs 'format: {version}' at the top of the file (the file is format "
                f"{self.format}); see docs/campaign-format.md, 'Upgrading'",
                f"该键需要在文件顶部写明 'format: {version}'（本文件为第 {self.format} 版格式）；"
                "见 docs/campaign-format.md 的 'Upgrading' 一节",
            )

    def info(self, entry: Mapping[str, Any], path: str) -> str:
        """Check the informational ``source`` and ``note`` keys; return the source."""
        if "note" in entry:
            self.string(entry["note"], join(path, "note"))
        if "source" not in entry:
            return ""
        src = self.string(entry["source"], join(path, "source"))
        if self.documents and src not in self.documents:
            self.skip_if_broken("documents")
            hint_en, hint_zh = suggest(src, self.documents)
            self.fail(
                join(path, "source"),
                f"source {short(src)} is not one of the documents listed under 'documents'{hint_en}",
                f"来源文件 {short(src)} 不在 documents 所列文件中{hint_zh}",
            )
        return src

    def authority(self, value: object, path: str) -> str:
        """The code of an authority of the graph."""
        code = self.code(value, path)
        if code not in self.graph:
            self.fail(
                path,
                f"unknown authority code {short(code)} (not in the authority graph)",
                f"未知的机关代码 {short(code)}（机关关系图中没有）",
            )
        return code

    def authorities(self, value: object, path: str) -> frozenset[str]:
        """A list of authority codes, none twice."""
        codes = [self.authority(item, f"{path}[{i}]") for i, item in enumerate(self.sequence(value, path))]
        self.unique(codes, path, "authority code", "机关代码")
        return frozenset(codes)

    def selector(self, value: object, path: str) -> Selector:
        """Which authorities a rule applies to: by code, level, kind, or within others."""
        entry = self.mapping(value, path, (), ("codes", "levels", "kinds", "within"))
        return Selector(
            codes=self.authorities(entry.get("codes", []), join(path, "codes")),
            levels=self.level_codes(entry.get("levels", []), join(path, "levels")),
            kinds=frozenset(
                self.choices(
                    entry.get("kinds", []), join(path, "kinds"), self.graph.KINDS, "kind", "机关类别"
                )
            ),
            within=self.authorities(entry.get("within", []), join(path, "within")),
        )

    def level_codes(self, value: object, path: str) -> frozenset[str]:
        """A list of the campaign's levels, none twice."""
        return frozenset(
            self.choices(
                value,
                path,
                self.levels,
                "level",
                "层级",
                " (not one of this campaign's levels)",
                "（不是本次遴选的层级）",
                section="levels",
            )
        )

    def unit_type_codes(self, value: object, path: str) -> frozenset[str]:
        """A list of unit types declared under ``unit_types``."""
        return frozenset(
            self.unit_type(item, f"{path}[{i}]") for i, item in enumerate(self.sequence(value, path))
        )

    def unit_type(self, value: object, path: str) -> str:
        """The code of a unit type declared under ``unit_types``."""
        return self.choice(self.string(value, path), path, self.unit_types, *UNIT_TYPE, section="unit_types")
