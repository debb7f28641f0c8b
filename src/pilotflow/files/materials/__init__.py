"""Materials as real files: inspect an attached file before it becomes a :class:`Material`.

:func:`inspect_material` opens one file (confined to ``root`` when one is given), records its
SHA-256, size and real type, and checks it: a PDF must open with ``pypdf``, not be encrypted
and have at least one page (its JavaScript and Launch actions are reported); every part of a
``.docx`` must unpack to what its headers claim and its XML (streamed through ``lxml``) must
make a Word document; an Excel workbook (``.xlsx``) is checked as a package the same way,
then read with ``openpyxl`` (its sheets, rows and cells counted); a ``.doc`` must hold a Word
stream in its compound file directory (read with ``olefile``); an MP4 must carry a video track
whose samples back its duration and last about as long as its material (or, the old spelling,
the campaign's ``re_review``) asks. The type is taken from the bytes, never from the name: a
name whose extension disagrees with the content is refused. Every check is bounded in memory
and time whatever the file claims. Nothing is executed and no other program is started.
Anything refused raises :class:`MaterialRejected` with a stable ``reason`` code and a message
in English and Chinese.

Paper materials are not files; :func:`paper_material` records a number of copies::

    >>> from pilotflow.campaign import MaterialType, Text
    >>> form = MaterialType("application_form_paper", Text("application form", "申报书"), paper=True)
    >>> paper_material(form, 3)
    Material(kind='application_form_paper', copies=3, filename=None, sha256=None, size=None, \
media_type=None, pages=None, duration=None)

The parsers (``pypdf``, ``lxml``, ``olefile``, ``openpyxl``) are imported only when a file of their type is
inspected, so ``import pilotflow`` does not load them. See ``docs/materials.md``.
"""

from __future__ import annotations

import io
import os
import threading
import weakref

from attrs import frozen

from ...domain.campaign import Campaign, MaterialType, check_campaign
from ...domain.records import MAX_COPIES, Material, copies_allowed
from ...errors import InvalidInput, MaterialRejected, MissingDependency, shown
from .._io import file_name, fs_path
from ._detect import _check_name, _detect
from ._mp4 import _check_duration, _check_mp4
from ._office import _check_docx, _check_xlsx
from ._open import _changed, _digest, _open_confined, _Window
from ._pdf import _active, _check_pdf
from ._shared import CHECKED_FORMATS, MEDIA_TYPES

# The package by concern. This module holds the public API and the checks of its arguments;
# ``_open`` opens a file safely (confinement, read window, digest, read budgets); ``_detect``
# recognises its format and checks its name; ``_pdf``, ``_office`` (.docx, .xlsx) and ``_mp4``
# check the content; ``_shared`` holds the format names, the bounds and the refusals they
# share. Imports point one way: ``_shared`` and ``_open`` import nothing from the package, the
# checks import only them, and no submodule imports this one.

__all__ = [
    "CHECKED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "MEDIA_TYPES",
    "Inspection",
    "MaterialRejected",
    "MissingDependency",
    "inspect_campaign_material",
    "inspect_material",
    "inspection_of",
    "is_inspected",
    "paper_material",
]

#: The largest file :func:`inspect_material` reads unless told otherwise (500 MiB).
DEFAULT_MAX_BYTES = 500 * 2**20


# --------------------------------------------------------------------------- public API


def paper_material(kind: MaterialType, copies: int = 1) -> Material:
    """A paper material of ``kind`` in ``copies`` copies (a whole number from 1 to 1,000).

    Refused with reason ``not_paper`` when ``kind`` is an electronic material (attach the
    file with :func:`inspect_material`), ``copies`` when the count is not a whole number from 1
    to ``MAX_COPIES``.
    """
    _check_kind(kind)
    if not kind.paper:
        raise MaterialRejected(
            "not_paper",
            None,
            f"material {kind.code!r} ({kind.name.en}) is an electronic file, not paper: "
            "attach the file itself",
            f"材料「{kind.name.zh}」是电子文件而非纸质材料，请上传文件本身",
            {"kind": kind.code},
        )
    check_copies(kind, copies)
    return Material(kind.code, copies=copies)


def check_copies(kind: MaterialType, copies: object) -> None:
    """Refuse (reason ``copies``, naming ``kind``) a count of copies that is not a whole number
    from 1 to ``MAX_COPIES``."""
    if not copies_allowed(copies):
        raise MaterialRejected(
            "copies",
            None,
            f"material {kind.code!r}: copies must be a whole number from 1 to {MAX_COPIES}, "
            f"got {shown(copies)}",
            f"{kind.name.zh}：份数必须是 1 到 {MAX_COPIES} 之间的整数，收到 {shown(copies)}",
            {"kind": kind.code, "copies": copies},
        )


def inspect_material(
    kind: MaterialType,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    video_seconds: int | None = None,
    video_tolerance: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    refuse_active_content: bool = False,
) -> Material:
    """Check the file at ``path`` as a material of ``kind`` and describe it.

    * ``root``: when given, ``path`` (relative paths are taken relative to ``root``) must
      resolve inside it: a ``..`` component, an absolute path elsewhere or a symbolic link
      leading out is refused. Without ``root`` the last component must not be a link.
    * ``video_seconds`` / ``video_tolerance``: a video must last ``video_seconds`` give or
      take ``video_tolerance`` seconds (bounds included; no tolerance means 0). Without
      ``video_seconds`` the material type's own bounds apply (``kind.video_seconds`` ±
      ``kind.video_tolerance_seconds``); without those any positive duration is accepted.
    * ``max_bytes``: a larger file is refused unread (a ``.docx`` also may not unpack to more).
    * ``refuse_active_content``: refuse a PDF carrying JavaScript or a Launch action (reason
      ``active_content``), as does a material type whose ``refuse_active_content`` is set;
      otherwise it is accepted and :func:`inspection_of` reports it.

    Whatever the file claims, the inspection reads, holds and walks a bounded amount
    (``docs/materials.md``): a file beyond those bounds is refused as ``too_complex``, one
    whose content does not back its headers' claims as ``inconsistent``.

    Returns a :class:`~pilotflow.Material` with one copy, the file's base name,
    SHA-256, size, media type, and its page count (PDF) or duration in seconds (video).
    Raises :class:`MaterialRejected` for a refused file, :class:`~pilotflow.errors.InvalidInput`
    for bad arguments, :class:`MissingDependency` when a needed parser is not installed.
    """
    _check_kind(kind)
    shown = fs_path(path, "path", empty=True)  # ("": the root, refused as a folder)
    if video_seconds is None and video_tolerance is None and kind.video_seconds is not None:
        video_seconds, video_tolerance = kind.video_seconds, kind.video_tolerance_seconds
    limits = _check_limits(video_seconds, video_tolerance, max_bytes)
    if kind.paper:
        raise MaterialRejected(
            "paper_only",
            shown,
            f"material {kind.code!r} ({kind.name.en}) is handed in on paper, not as a file: "
            "record the number of copies instead",
            f"材料「{kind.name.zh}」须报送纸质件，不接收电子文件，请登记份数",
            {"kind": kind.code},
        )
    allowed = tuple(f.lower() for f in kind.formats) or tuple(sorted(CHECKED_FORMATS))
    with _open_confined(shown, root) as (fd, st):
        if st.st_size > max_bytes:
            raise MaterialRejected(
                "too_large",
                shown,
                f"the file is {st.st_size} bytes, more than the limit of {max_bytes}",
                f"文件大小 {st.st_size} 字节，超过上限 {max_bytes} 字节",
                {"size": st.st_size, "max_bytes": max_bytes},
            )
        if st.st_size == 0:
            raise MaterialRejected("empty", shown, "the file is empty", "文件为空（0 字节）")
        stream = io.BufferedReader(_Window(fd, st.st_size), buffer_size=1 << 16)
        fmt, members = _detect(stream, shown, st.st_size)
        _check_name(shown, fmt, kind, allowed)
        sha256, size = _digest(stream)
        if size != st.st_size:
            raise _changed(shown)
        pages: int | None = None
        duration: float | None = None
        active: tuple[str, ...] = ()
        if fmt == "pdf":
            pages, active = _check_pdf(stream, shown, size)
            if active and (refuse_active_content or kind.refuse_active_content):
                raise _active(shown, active)
        elif fmt == "docx":
            _check_docx(stream, shown, size, max_bytes, members)
        elif fmt == "xlsx":
            _check_xlsx(stream, shown, size, max_bytes, members)
        elif fmt == "mp4":
            duration = _check_mp4(stream, shown, size)
            _check_duration(shown, duration, *limits)
        # "doc": a Word 97-2003 file is recognised from its compound file directory (a
        # WordDocument stream starting with a Word header, not encrypted); its text is not
        # parsed (see docs/materials.md).
        after = os.fstat(fd)
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise _changed(shown)
    inspection = Inspection(kind, video_seconds, video_tolerance, active)
    return _vouch(
        Material(
            kind.code,
            copies=1,
            filename=file_name(shown),
            sha256=sha256,
            size=size,
            media_type=MEDIA_TYPES[fmt],
            pages=pages,
            duration=duration,
        ),
        inspection,
    )


@frozen
class Inspection:
    """What a checked file was judged against, and what was found in it.

    ``kind`` is the :class:`~pilotflow.campaign.MaterialType` (code, formats) the file was
    checked as; ``video_seconds`` / ``video_tolerance`` the video bounds applied (``None`` /
    ``None`` when none were given); ``active_content`` what a PDF carries that can act when
    it is opened: ``"javascript"`` and/or ``"launch"`` (empty for other formats and for a
    PDF without either). See :func:`inspection_of`.
    """

    kind: MaterialType
    video_seconds: int | None
    video_tolerance: int | None
    active_content: tuple[str, ...] = ()


# The Material objects this module made from a file it checked, by identity, with what each
# was checked against: a record built by hand with the same fields is *not* inspected.
_INSPECTED: dict[int, tuple[weakref.ref[Material], Inspection]] = {}
_INSPECTED_LOCK = threading.Lock()


def _vouch(material: Material, inspection: Inspection) -> Material:
    key = id(material)

    def forget(_: object) -> None:
        with _INSPECTED_LOCK:
            _INSPECTED.pop(key, None)

    with _INSPECTED_LOCK:
        _INSPECTED[key] = (weakref.ref(material, forget), inspection)
    return material


def inspection_of(material: object) -> Inspection | None:
    """What :func:`inspect_material` checked ``material`` against (the very object it
    returned, not an equal one written by hand), or None for any other object."""
    entry = _INSPECTED.get(id(material))
    if entry is None or entry[0]() is not material:
        return None
    return entry[1]


def is_inspected(material: object, campaign: Campaign | None = None) -> bool:
    """True if ``material`` is a record :func:`inspect_material` made from a checked file
    (the very object, not an equal one written by hand).

    With ``campaign``, only if it was checked against that campaign's rules for its kind:
    the campaign's :class:`~pilotflow.campaign.MaterialType` for ``material.kind`` (code and
    formats) and, for a video, the bounds :func:`inspect_campaign_material` applies (the
    material type's own, else the campaign's re-review ones). A 10-second video checked with
    other bounds,
    or a Word file checked as another material type, does not count for the campaign.
    """
    inspection = inspection_of(material)
    if inspection is None:
        return False
    if campaign is None:
        return True
    if not isinstance(material, Material):  # pragma: no cover - only Materials are vouched for
        return False
    kind = campaign.materials.get(material.kind)
    if kind is not inspection.kind and kind != inspection.kind:  # the very type, usually
        return False
    if material.duration is None:  # the video bounds apply to videos only
        return True
    return (inspection.video_seconds, inspection.video_tolerance) == _video_bounds(campaign, kind)


def _video_bounds(campaign: Campaign, kind: MaterialType | None) -> tuple[int | None, int | None]:
    """The video bounds :func:`inspect_campaign_material` applies to a video of ``kind``: the
    material's own (``materials.<kind>.video``), else the campaign's re-review bounds (the
    old spelling, ``re_review.video_seconds``), else none."""
    if kind is not None and kind.video_seconds is not None:
        return kind.video_seconds, kind.video_tolerance_seconds
    rules = campaign.re_review
    if rules.video_seconds is None:
        return None, None
    return rules.video_seconds, rules.video_tolerance_seconds


def inspect_campaign_material(
    campaign: Campaign,
    kind: str,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    refuse_active_content: bool = False,
) -> Material:
    """:func:`inspect_material` with the material type and video bounds of ``campaign``.

    ``kind`` is a material code of the campaign; a video is held to the length its material
    type sets (``materials.<kind>.video``) or, when the type sets none, to the campaign's
    re-review video length (``re_review.video_seconds`` ± ``video_tolerance_seconds``, the
    old spelling).
    """
    campaign = check_campaign(campaign)
    material_type = campaign_material_type(campaign, kind)
    seconds, tolerance = _video_bounds(campaign, material_type)
    return inspect_material(
        material_type,
        path,
        root=root,
        video_seconds=seconds,
        video_tolerance=tolerance,
        max_bytes=max_bytes,
        refuse_active_content=refuse_active_content,
    )


# --------------------------------------------------------------------------- arguments


def campaign_material_type(campaign: Campaign, kind: object) -> MaterialType:
    """The material type of ``campaign`` whose code is ``kind``; else InvalidInput naming the
    kinds the campaign knows (by their Chinese names, codes in parentheses)."""
    material_type = campaign.materials.get(kind) if isinstance(kind, str) else None
    if material_type is None:
        raise InvalidInput(
            f"unknown material kind {shown(kind)}; this campaign knows {', '.join(campaign.materials)}",
            f"未知的材料类型 {shown(kind)}；本次遴选的材料类型有："
            + "、".join(f"{m.name.zh}（{m.code}）" for m in campaign.materials.values()),
        )
    return material_type


def _check_kind(kind: object) -> None:
    if not isinstance(kind, MaterialType):
        raise InvalidInput(
            f"kind must be a MaterialType, got {type(kind).__name__}",
            f"kind 必须是 MaterialType（材料类型），收到 {type(kind).__name__}",
        )


def _check_limits(
    video_seconds: object, video_tolerance: object, max_bytes: object
) -> tuple[int | None, int]:
    def whole(value: object, low: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= low

    if video_seconds is not None and not whole(video_seconds, 1):
        raise InvalidInput(
            f"video_seconds must be a whole number >= 1, got {shown(video_seconds)}",
            f"video_seconds（视频时长）必须是不小于 1 的整数，收到 {shown(video_seconds)}",
        )
    if video_tolerance is not None and not whole(video_tolerance, 0):
        raise InvalidInput(
            f"video_tolerance must be a whole number >= 0, got {shown(video_tolerance)}",
            f"video_tolerance（时长允许偏差）必须是非负整数，收到 {shown(video_tolerance)}",
        )
    if video_tolerance is not None and video_seconds is None:
        raise InvalidInput(
            "video_tolerance was given without video_seconds",
            "给出了 video_tolerance（时长允许偏差）却未给出 video_seconds（视频时长）",
        )
    if not whole(max_bytes, 1):
        raise InvalidInput(
            f"max_bytes must be a whole number >= 1, got {shown(max_bytes)}",
            f"max_bytes（文件大小上限）必须是正整数，收到 {shown(max_bytes)}",
        )
    seconds = video_seconds if isinstance(video_seconds, int) else None
    tolerance = video_tolerance if isinstance(video_tolerance, int) else 0
    return seconds, tolerance
