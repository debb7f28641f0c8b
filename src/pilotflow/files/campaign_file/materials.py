"""Materials: the kinds a campaign declares under ``materials``, and the requirements a hop
lists (``hops[].materials``, ``hops[].re_review_materials``)."""

from __future__ import annotations

from typing import Any

from ...domain.campaign import MaterialRequirement, MaterialType
from .bounds import COPIES
from .messages import join
from .scope import UNIT_TYPE, Scope


def material_types(r: Scope, value: object) -> dict[str, MaterialType]:
    """``materials``: code → kind of material (paper or files of given formats)."""
    out: dict[str, MaterialType] = {}
    for code, entry in r.named_entries(
        value, "materials", ("paper", "formats", "refuse_active_content")
    ).items():
        path = join("materials", code)
        with r.collecting(path):
            paper = r.boolean(entry.get("paper", False), join(path, "paper"))
            formats = tuple(
                r.string(fmt, f"{path}.formats[{i}]")
                for i, fmt in enumerate(r.sequence(entry.get("formats", []), f"{path}.formats"))
            )
            r.unique(formats, join(path, "formats"), "format", "格式")
            refuse = r.boolean(entry.get("refuse_active_content", False), join(path, "refuse_active_content"))
            out[code] = MaterialType(code, r.text(entry, path), paper, formats, refuse)
    return out


def requirements(r: Scope, value: object, path: str) -> tuple[MaterialRequirement, ...]:
    """A list of material requirements: a kind, or ``{kind, copies, unit_types, note}``; each
    kind at most once."""
    out: list[MaterialRequirement] = []
    for index, item in enumerate(r.sequence(value, path)):
        item_path = f"{path}[{index}]"
        if isinstance(item, str):
            entry: dict[str, Any] = {"kind": item}
            kind_path = item_path
        else:
            entry = r.mapping(item, item_path, ("kind",), ("copies", "unit_types", "note"))
            kind_path = join(item_path, "kind")
            if "note" in entry:
                r.string(entry["note"], join(item_path, "note"))
        kind = r.choice(
            r.string(entry["kind"], kind_path),
            kind_path,
            r.materials,
            "material kind",
            "材料类型",
            " (declare it under materials)",
            "（请在 materials 中声明）",
            section="materials",
        )
        copies = r.integer(entry.get("copies", 1), join(item_path, "copies"), COPIES)
        unit_types = r.choices(
            entry.get("unit_types", []),
            join(item_path, "unit_types"),
            r.unit_types,
            *UNIT_TYPE,
            section="unit_types",
        )
        out.append(MaterialRequirement(kind, copies, frozenset(unit_types)))
    r.unique([req.kind for req in out], path, "material kind", "材料类型")
    return tuple(out)
