"""Small real files for demos, examples and tests: a PDF, a Word file, an MP4.

They are *real*: pypdf, python-docx and mutagen read them, so they pass the same checks as a
unit's own files (:mod:`pilotflow.materials`). :func:`sample_materials` writes one of each
kind a campaign asks for electronically into a folder and inspects it, giving ``Material``
records ready to attach — the way the demo and the tests file their electronic copies.

>>> import tempfile
>>> from pilotflow import load_campaign
>>> campaign = load_campaign("smart-health-elderly-care-2023")
>>> with tempfile.TemporaryDirectory() as folder:
...     found = sample_materials(campaign, folder, ["application_form_pdf", "re_review_video"])
>>> [(m.kind, m.media_type, m.pages or m.duration) for m in found]
[('application_form_pdf', 'application/pdf', 1), ('re_review_video', 'video/mp4', 300.0)]
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .campaign import Campaign
from .errors import InvalidInput
from .nomination import Material

__all__ = [
    "docx_bytes",
    "every_material",
    "material_for",
    "mp4_bytes",
    "pdf_bytes",
    "required_copies",
    "sample_materials",
]


def pdf_bytes(
    pages: int = 1, *, user_password: str | None = None, owner_password: str | None = None
) -> bytes:
    """A real PDF made by pypdf: ``pages`` blank A4 pages, optionally encrypted."""
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if user_password is not None:
        writer.encrypt(user_password, owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = "智慧健康养老应用试点示范申报书") -> bytes:
    """A real .docx made by python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _box(box_type: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), box_type) + payload


def _full_box(box_type: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _box(box_type, struct.pack(">B", version) + flags.to_bytes(3, "big") + payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def mp4_bytes(
    seconds: float,
    *,
    timescale: int = 1000,
    handler: bytes = b"vide",
    brand: bytes = b"isom",
    mdat: bytes = bytes(256),
) -> bytes:
    """A minimal MP4 (ftyp, moov with mvhd and one trak, mdat) lasting ``seconds``.

    ``handler`` is the track's type (``vide`` video, ``soun`` sound).
    """
    duration = round(seconds * timescale)
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _full_box(
        b"mvhd",
        struct.pack(">4I", 0, 0, timescale, duration)
        + struct.pack(">IH10x", 0x10000, 0x100)
        + _MATRIX
        + bytes(24)
        + struct.pack(">I", 2),
    )
    tkhd = _full_box(
        b"tkhd",
        struct.pack(">5I", 0, 0, 1, 0, duration)
        + bytes(8)
        + struct.pack(">hhH2x", 0, 0, 0)
        + _MATRIX
        + struct.pack(">II", 320 << 16, 240 << 16),
        flags=3,
    )
    mdhd = _full_box(b"mdhd", struct.pack(">4IHH", 0, 0, timescale, duration, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", struct.pack(">I4s12x", 0, handler) + b"Handler\0")
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + _box(b"minf", _box(b"stbl"))))
    return ftyp + _box(b"moov", mvhd + trak) + _box(b"mdat", mdat)


def sample_materials(
    campaign: Campaign, folder: str | os.PathLike[str], kinds: Iterable[str]
) -> list[Material]:
    """For each electronic material kind in ``kinds``, write a fitting real file into
    ``folder`` and inspect it (a PDF for PDF kinds, a .docx for Word kinds, an MP4 of the
    campaign's video length for video kinds; a PDF where any format will do)."""
    from .materials import inspect_campaign_material

    base = Path(folder)
    seconds = campaign.re_review.video_seconds or 300
    out = []
    for kind in kinds:
        spec = campaign.materials.get(kind)
        if spec is None or spec.paper:
            raise InvalidInput(f"{kind!r} is not an electronic material of this campaign",
                               f"{kind!r} 不是本次遴选的电子材料")  # fmt: skip
        formats = set(spec.formats)
        if "mp4" in formats:
            name, data = f"{kind}.mp4", mp4_bytes(seconds)
        elif formats and "pdf" not in formats:
            name, data = f"{kind}.docx", docx_bytes()
        else:
            name, data = f"{kind}.pdf", pdf_bytes()
        path = base / name
        path.write_bytes(data)
        out.append(inspect_campaign_material(campaign, kind, path))
    return out


_SAMPLES: dict[tuple[str, str], Material] = {}


def material_for(campaign: Campaign, kind: str, copies: int = 1) -> Material:
    """A material of ``kind`` as the campaign wants it attached: a paper kind as ``copies``
    declared, an electronic kind as a sample file checked once per process (its record is
    immutable, so it is shared; the file itself is removed once checked)."""
    spec = campaign.materials.get(kind)
    if spec is None:
        raise InvalidInput(f"unknown material kind {kind!r}", f"未知的材料类型 {kind!r}")
    if spec.paper:
        return Material(kind, copies=copies)
    key = (campaign.revision, kind)
    if key not in _SAMPLES:
        with tempfile.TemporaryDirectory(prefix="pilotflow-samples-") as folder:
            _SAMPLES[key] = sample_materials(campaign, folder, [kind])[0]
    return _SAMPLES[key]


def required_copies(campaign: Campaign, *, re_review: bool = False) -> dict[str, int]:
    """Every material kind some hop of ``campaign`` asks for, with the most copies any hop
    asks (``re_review``: with what the hops ask of re-review units as well), in the order the
    hops name them."""
    need: dict[str, int] = {}
    for hop in campaign.hops:
        for req in (*hop.materials, *(hop.re_review_materials if re_review else ())):
            need[req.kind] = max(need.get(req.kind, 0), req.copies)
    return need


def every_material(campaign: Campaign, *, re_review: bool = False) -> list[Material]:
    """A material for each of :func:`required_copies`, as :func:`material_for` makes it: what
    satisfies every hop of the campaign (tests, demos, benchmarks).

    >>> from pilotflow import load_campaign
    >>> [(m.kind, m.copies) for m in every_material(load_campaign("smart-health-elderly-care-2023"))][:2]
    [('joint_recommendation_letter', 1), ('application_form_paper', 3)]
    """
    return [material_for(campaign, k, c) for k, c in required_copies(campaign, re_review=re_review).items()]
