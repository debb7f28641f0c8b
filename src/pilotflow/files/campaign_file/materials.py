"""Materials: the kinds a campaign declares under ``materials``, and the requirements a hop
lists (``hops[].materials``, ``hops[].re_review_materials``)."""

from __future__ import annotations

from typing import Any

from ...domain.campaign import MATERIAL_OWNERS, PER_UNIT, MaterialRequirement, MaterialType
from ..materials import CHECKED_FORMATS
from .bounds import COPIES, VIDEO_SECONDS, VIDEO_TOLERANCE
from .messages import join
from .scope import UNIT_TYPE, Scope


def material_types(r: Scope, value: object) -> dict[str, MaterialType]:
    """``materials``: code → kind of material (paper, or files of formats pilotflow checks,
    a video with its own length bounds)."""
    out: dict[str, MaterialType] = {}
    for code, entry in r.named_entries(
        value, "materials", ("paper", "formats", "refuse_active_content", "video", "per")
    ).items():
        path = join("materials", code)
        with r.collecting(path):
            paper = r.boolean(entry.get("paper", False), join(path, "paper"))
            formats = _formats(r, entry.get("formats", []), join(path, "formats"))
            if paper and "formats" in entry:
                r.fail(
                    join(path, "formats"),
                    "a paper material (paper: true) has no file format: drop formats, or paper",
                    "纸质材料（paper: true）没有文件格式：请删去 formats 或 paper",
                )
            refuse = r.boolean(entry.get("refuse_active_content", False), join(path, "refuse_active_content"))
            seconds, tolerance = _video(r, entry, path, formats)
            per = r.string(entry.get("per", PER_UNIT), join(path, "per"))
            r.choice(per, join(path, "per"), MATERIAL_OWNERS, "owner of the material", "材料归属")
            out[code] = MaterialType(
                code, r.text(entry, path), paper, formats, refuse, seconds, tolerance, per
            )
    return out


def _formats(r: Scope, value: object, path: str) -> tuple[str, ...]:
    """``formats``: formats pilotflow can check (any case; kept as written), none twice."""
    formats = tuple(r.string(fmt, f"{path}[{i}]") for i, fmt in enumerate(r.sequence(value, path)))
    for i, fmt in enumerate(formats):
        if fmt.lower() not in CHECKED_FORMATS:
            r.choice(fmt, f"{path}[{i}]", CHECKED_FORMATS, "format", "文件格式")
    r.unique([fmt.lower() for fmt in formats], path, "format", "格式")
    return formats


def _video(
    r: Scope, entry: dict[str, Any], path: str, formats: tuple[str, ...]
) -> tuple[int | None, int | None]:
    """``video: {seconds, tolerance_seconds}``: how long a video of this kind lasts; only on
    a material whose ``formats`` name a video format (mp4)."""
    if "video" not in entry:
        return None, None
    video_path = join(path, "video")
    video = r.mapping(entry["video"], video_path, ("seconds",), ("tolerance_seconds",))
    if "mp4" not in (fmt.lower() for fmt in formats):
        r.fail(
            video_path,
            "video length bounds belong to a video material: list mp4 under formats",
            "只有视频材料才能设置视频时长：请在 formats 中列出 mp4",
        )
    seconds = r.integer(video["seconds"], join(video_path, "seconds"), VIDEO_SECONDS)
    tolerance = None
    if "tolerance_seconds" in video:
        tolerance_path = join(video_path, "tolerance_seconds")
        tolerance = r.integer(video["tolerance_seconds"], tolerance_path, VIDEO_TOLERANCE)
        if tolerance >= seconds:
            r.fail(
                tolerance_path,
                f"the tolerance ({tolerance} s) must be shorter than the length ({seconds} s)",
                f"时长容差（{tolerance} 秒）必须小于视频时长（{seconds} 秒）",
            )
    return seconds, tolerance


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
