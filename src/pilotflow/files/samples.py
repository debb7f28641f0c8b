"""Small real files for demos, examples and tests: a PDF, Word files, an MP4.

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

import array
import io
import os
import struct
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..domain.campaign import PER_UNIT, Campaign
from ..domain.records import Material
from ..errors import InvalidInput

__all__ = [
    "doc_bytes",
    "docx_bytes",
    "every_material",
    "material_for",
    "mp4_bytes",
    "pdf_bytes",
    "required_copies",
    "sample_materials",
    "xlsx_bytes",
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


def xlsx_bytes(rows: tuple[tuple[object, ...], ...] = (("单位", "得分"), ("示范单位", 90))) -> bytes:
    """A real .xlsx (one sheet holding ``rows``) made by openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _box(box_type: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), box_type) + payload


def _full_box(box_type: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _box(box_type, struct.pack(">B", version) + flags.to_bytes(3, "big") + payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _track(handler: bytes, seconds: float, timescale: int, samples: int, sizes: int, offset: int,
           header_seconds: float) -> bytes:  # fmt: skip
    """A ``trak`` of ``samples`` samples of ``sizes`` bytes each, all in one chunk at
    ``offset``, lasting ``seconds``; its headers declare ``header_seconds``."""
    declared = round(header_seconds * timescale)
    tkhd = _full_box(
        b"tkhd",
        struct.pack(">5I", 0, 0, 1, 0, declared)
        + bytes(8)
        + struct.pack(">hhH2x", 0, 0, 0)
        + _MATRIX
        + struct.pack(">II", 320 << 16, 240 << 16),
        flags=3,
    )
    mdhd = _full_box(b"mdhd", struct.pack(">4IHH", 0, 0, timescale, declared, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", struct.pack(">I4s12x", 0, handler) + b"Handler\0")
    total = round(seconds * timescale)
    if samples:
        delta = total // samples
        runs = [(samples - 1, delta), (1, total - (samples - 1) * delta)] if samples > 1 else [(1, total)]
        stts = _full_box(
            b"stts", struct.pack(">I", len(runs)) + b"".join(struct.pack(">II", *r) for r in runs)
        )
        stsz = _full_box(b"stsz", struct.pack(">II", sizes, samples))
        stsc = _full_box(b"stsc", struct.pack(">I3I", 1, 1, samples, 1))
        stco = _full_box(b"stco", struct.pack(">II", 1, offset))
    else:
        stts = _full_box(b"stts", struct.pack(">I", 0))
        stsz = _full_box(b"stsz", struct.pack(">II", 0, 0))
        stsc = _full_box(b"stsc", struct.pack(">I", 0))
        stco = _full_box(b"stco", struct.pack(">I", 0))
    stbl = _box(b"stbl", stts + stsz + stsc + stco)
    return _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + _box(b"minf", stbl)))


def mp4_bytes(
    seconds: float,
    *,
    timescale: int = 1000,
    handler: bytes = b"vide",
    brand: bytes = b"isom",
    mdat: bytes = bytes(256),
    samples: int | None = None,
    header_seconds: float | None = None,
    sound_seconds: float | None = None,
) -> bytes:
    """A minimal MP4 (ftyp, moov with mvhd and a trak, mdat) whose track lasts ``seconds``.

    ``handler`` is the track's type (``vide`` video, ``soun`` sound). The track's sample
    tables time ``samples`` samples (default: one per 16 bytes of ``mdat``, at most 16)
    stored in ``mdat``; ``samples=0`` leaves them empty, so nothing backs the duration
    the headers declare. ``header_seconds``: what the movie and track headers declare
    (default ``seconds``). ``sound_seconds``: add a sound track of that length.
    """
    count = min(16, len(mdat) // 16) if samples is None else samples
    if count and len(mdat) < count:
        raise ValueError("mdat must hold at least one byte per sample")
    sizes = len(mdat) // count if count else 0
    declared = seconds if header_seconds is None else header_seconds
    movie = max(declared, sound_seconds or 0)
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _full_box(
        b"mvhd",
        struct.pack(">4I", 0, 0, timescale, round(movie * timescale))
        + struct.pack(">IH10x", 0x10000, 0x100)
        + _MATRIX
        + bytes(24)
        + struct.pack(">I", 3),
    )

    def moov(offset: int) -> bytes:
        tracks = _track(handler, seconds, timescale, count, sizes, offset, declared)
        if sound_seconds is not None:
            tracks += _track(b"soun", sound_seconds, timescale, count or 1, sizes or 1, offset, sound_seconds)
        return _box(b"moov", mvhd + tracks)

    offset = len(ftyp) + len(moov(0)) + 8  # the media data's first byte
    return ftyp + moov(offset) + _box(b"mdat", mdat)


def doc_bytes(streams: dict[str, bytes] | None = None) -> bytes:
    """A Word 97-2003 ``.doc`` as a real compound file (what ``olefile`` reads).

    By default it holds a ``WordDocument`` stream of 4 KiB starting with a Word file
    information block (``wIdent`` 0xA5EC, not encrypted) and an empty ``1Table``; other
    ``streams`` (name → bytes) may be given instead. Every stream is kept in 512-byte
    sectors of the main FAT (streams under 4 KiB are padded to it). The text is not a real
    document: pilotflow does not parse the Word binary format.
    """
    if streams is None:
        fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0)
        streams = {"WordDocument": fib.ljust(4096, b"\0"), "1Table": bytes(4096)}
    sector = 512
    body: list[bytes] = []
    starts: list[tuple[str, int, int]] = []
    chain: list[int] = []  # FAT entries for the data sectors, from sector 0
    for name, data in streams.items():
        padded = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\0")
        count = len(padded) // sector
        first = len(chain)
        chain.extend(range(first + 1, first + count))
        chain.append(0xFFFFFFFE)  # end of chain
        body.append(padded)
        starts.append((name, first, len(data)))
    entries = 1 + len(streams)
    dir_sectors = -(-entries * 128 // sector)
    dir_first = len(chain)
    chain.extend(range(dir_first + 1, dir_first + dir_sectors))
    chain.append(0xFFFFFFFE)
    # The FAT covers every sector, its own and the DIFAT's included; the header lists the
    # first 109 FAT sectors, DIFAT sectors (127 entries and a link each) the rest.
    fat_sectors = difat_sectors = 0
    while True:
        need_fat = -(-(len(chain) + fat_sectors + difat_sectors) // (sector // 4))
        need_difat = -(-max(0, need_fat - 109) // 127)
        if (need_fat, need_difat) == (fat_sectors, difat_sectors):
            break
        fat_sectors, difat_sectors = need_fat, need_difat
    fat_first = len(chain)
    difat_first = fat_first + fat_sectors
    chain.extend([0xFFFFFFFD] * fat_sectors)  # FATSECT
    chain.extend([0xFFFFFFFC] * difat_sectors)  # DIFSECT
    fat = array.array("I", chain)
    if sys.byteorder == "big":  # pragma: no cover
        fat.byteswap()
    fat_bytes = fat.tobytes().ljust(fat_sectors * sector, b"\xff")
    fat_numbers = list(range(fat_first, fat_first + fat_sectors))
    difat = b""
    for i in range(difat_sectors):
        group = fat_numbers[109 + 127 * i : 109 + 127 * (i + 1)]
        link = difat_first + i + 1 if i + 1 < difat_sectors else 0xFFFFFFFE
        difat += struct.pack(f"<{len(group)}I", *group).ljust(508, b"\xff") + struct.pack("<I", link)

    def entry(name: str, kind: int, start: int, size: int, child: int = -1, right: int = -1) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBiii", len(encoded), kind, 1, -1, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<iII", start, size, 0)
        )

    names = [n for n, _, _ in starts]
    directory = entry("Root Entry", 5, -2, 0, child=1 if names else -1)
    for i, (name, first, size) in enumerate(starts):  # a right-leaning chain of siblings
        directory += entry(name, 2, first, size, right=i + 2 if i + 1 < len(starts) else -1)
    directory = directory.ljust(dir_sectors * sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_sectors,
            dir_first,
            0,
            4096,
            0xFFFFFFFE,
            0,
            difat_first if difat_sectors else 0xFFFFFFFE,
            difat_sectors,
        )
    )
    in_header = fat_numbers[:109]
    header += struct.pack(f"<{len(in_header)}I", *in_header).ljust(436, b"\xff")
    return header + b"".join(body) + directory + fat_bytes + difat


def sample_materials(
    campaign: Campaign, folder: str | os.PathLike[str], kinds: Iterable[str]
) -> list[Material]:
    """For each electronic material kind in ``kinds``, write a fitting real file into
    ``folder`` and inspect it (a PDF for PDF kinds, a .docx for Word kinds, an .xlsx for
    Excel-only kinds, an MP4 of the material's (or campaign's) video length for video kinds;
    a PDF where any format will do)."""
    from .materials import inspect_campaign_material

    base = Path(folder)
    seconds = campaign.re_review.video_seconds or 300
    out = []
    for kind in kinds:
        spec = campaign.materials.get(kind)
        if spec is None or spec.paper:
            raise InvalidInput(f"{kind!r} is not an electronic material of this campaign",
                               f"{kind!r} 不是本次遴选的电子材料")  # fmt: skip
        formats = {fmt.lower() for fmt in spec.formats}
        if "mp4" in formats:
            name, data = f"{kind}.mp4", mp4_bytes(spec.video_seconds or seconds)
        elif formats == {"xlsx"}:
            name, data = f"{kind}.xlsx", xlsx_bytes()
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
        from .materials import paper_material

        return paper_material(spec, copies)  # (a refused count names the material in Chinese)
    key = (campaign.revision, kind)
    if key not in _SAMPLES:
        with tempfile.TemporaryDirectory(prefix="pilotflow-samples-") as folder:
            _SAMPLES[key] = sample_materials(campaign, folder, [kind])[0]
    return _SAMPLES[key]


def required_copies(campaign: Campaign, *, re_review: bool = False, per: str = PER_UNIT) -> dict[str, int]:
    """Every material kind of ``per`` (each unit's own, or ``"submission"``: the senders'
    letters') some hop of ``campaign`` asks for, with the most copies any hop asks
    (``re_review``: with what the hops ask of re-review units as well), in the order the hops
    name them."""
    need: dict[str, int] = {}
    for hop in campaign.hops:
        for req in (*hop.materials, *(hop.re_review_materials if re_review else hop.new_materials)):
            spec = campaign.materials.get(req.kind)
            if spec is not None and spec.per == per:
                need[req.kind] = max(need.get(req.kind, 0), req.copies)
    return need


def every_material(campaign: Campaign, *, re_review: bool = False, per: str = PER_UNIT) -> list[Material]:
    """A material for each of :func:`required_copies`, as :func:`material_for` makes it: what
    satisfies every hop of the campaign (tests, demos, benchmarks): each unit's own, or
    (``per="submission"``) every letter's.

    >>> from pilotflow import load_campaign
    >>> [(m.kind, m.copies) for m in every_material(load_campaign("smart-health-elderly-care-2023"))][:2]
    [('application_form_paper', 3), ('application_form_word', 1)]
    >>> [m.kind for m in every_material(load_campaign("smart-health-elderly-care-2023"), per="submission")]
    ['joint_recommendation_letter', 'three_department_letter', 'recommendation_opinion']
    """
    need = required_copies(campaign, re_review=re_review, per=per)
    return [material_for(campaign, k, c) for k, c in need.items()]
