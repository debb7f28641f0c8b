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
import contextlib
import io
import os
import struct
import sys
import tempfile
from collections.abc import Iterable, Mapping

from ..domain.campaign import MATERIAL_OWNERS, PER_UNIT, Campaign, MaterialType, check_campaign
from ..domain.inputs import NAME, check_flag, check_number, check_sequence, check_text, wrong_argument
from ..domain.records import Material
from ..errors import InvalidInput, shown
from ._io import existing_folder, write_files, write_refused
from .materials import (
    DEFAULT_MAX_BYTES,
    campaign_material_type,
    check_copies,
    inspect_campaign_material,
    paper_material,
)

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

# What a sample may be asked to hold: every argument is checked against these before anything
# is made (a refused call writes nothing), so no argument can exhaust memory or time.
MAX_PAGES = 20_000  # PDF pages (twice what an inspection reads: a sample may exceed that)
MAX_TEXT = 1_000_000  # characters of text in a .docx, or in all the cells of an .xlsx
MAX_CELL_TEXT = 32_767  # characters in one cell (Excel's own limit)
MAX_CELLS = 100_000  # cells of an .xlsx
MAX_COLUMNS = 16_384  # cells in one row (Excel's own limit)
MAX_EXACT = 10**15 - 1  # largest whole number in a cell (Excel keeps 15 digits)
MAX_SECONDS = 36_000  # seconds of an MP4's track or header (10 hours)
MAX_TIMESCALE = 100_000  # MP4 time units per second (MPEG's is 90,000)
MAX_STREAMS = 1_000  # streams of a compound file
MAX_BYTES = DEFAULT_MAX_BYTES  # bytes of media data, or of all the streams (500 MiB, as a material)


def pdf_bytes(
    pages: int = 1, *, user_password: str | None = None, owner_password: str | None = None
) -> bytes:
    """A real PDF made by pypdf: ``pages`` blank A4 pages (a whole number from 0 to 20,000),
    optionally encrypted with ``user_password`` (to open it; ``""``: anyone may open it) and
    ``owner_password`` (to change it; only with a ``user_password``). A password is a text
    of at most 200 characters, or ``""``."""
    check_number("pages", pages, 0, MAX_PAGES, whole=True, zh="pages（页数）")
    _password("user_password", user_password, "user_password（打开密码）")
    _password("owner_password", owner_password, "owner_password（权限密码）")
    if owner_password is not None and user_password is None:
        raise InvalidInput(
            "owner_password was given without user_password (give user_password='' for a file "
            "anyone may open)",
            "给出了 owner_password（权限密码）却未给出 user_password（打开密码）；"
            "任何人都可打开的文件请给 user_password=''",
        )
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if user_password is not None:
        writer.encrypt(user_password, owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _password(name: str, value: object, zh: str) -> None:
    if value is None or value == "":
        return
    check_text(value, name, NAME, zh=zh)


def docx_bytes(text: str = "智慧健康养老应用试点示范申报书") -> bytes:
    """A real .docx made by python-docx, holding ``text`` in one paragraph: ``""`` (an empty
    document) or a text of at most 1,000,000 characters (tabs and line breaks allowed, no
    other control character; see :mod:`pilotflow.inputs`)."""
    if text != "":
        check_text(text, "text", MAX_TEXT, multiline=True, zh="text（正文）")
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows: tuple[tuple[object, ...], ...] = (("单位", "得分"), ("示范单位", 90))) -> bytes:
    """A real .xlsx (one sheet holding ``rows``) made by openpyxl.

    ``rows`` is a sequence of rows, each a sequence of cells: ``None`` (empty), True or False,
    a whole number of at most 15 digits, a finite number, or a text (``""``, or at most 32,767
    characters, tabs and line breaks allowed; a text starting with ``=`` is a formula, as in
    Excel). At most 100,000 cells in all, 16,384 in a row, and 1,000,000 characters of text.
    """
    checked = _check_rows(rows)
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    for row in checked:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check_rows(rows: object) -> tuple[tuple[object, ...], ...]:
    """``rows`` checked (see :func:`xlsx_bytes`), as a tuple of tuples: what is checked is what
    is written (rows given by a generator are read once)."""
    cells = characters = 0
    checked = []
    for i, row in enumerate(check_sequence(rows, "rows", MAX_CELLS)):
        items = check_sequence(row, f"rows[{i}]", MAX_COLUMNS)
        checked.append(items)
        cells += len(items)
        if cells > MAX_CELLS:
            raise InvalidInput(
                f"rows hold more than {MAX_CELLS} cells", f"rows（表格行）共超过 {MAX_CELLS} 个单元格，过多"
            )
        for j, cell in enumerate(items):
            where = f"rows[{i}][{j}]"
            if isinstance(cell, str):
                if cell:
                    characters += len(check_text(cell, where, MAX_CELL_TEXT, multiline=True))
            elif isinstance(cell, int) and not isinstance(cell, bool):
                check_number(where, cell, -MAX_EXACT, MAX_EXACT, whole=True)
            elif isinstance(cell, float):
                check_number(where, cell, -1e308, 1e308)  # (finite)
            elif cell is not None and not isinstance(cell, bool):
                raise wrong_argument(
                    where, "a text, a number, True, False or None", "文本、数值、True、False 或 None", cell
                )
        if characters > MAX_TEXT:
            raise InvalidInput(
                f"rows hold more than {MAX_TEXT} characters of text",
                f"rows（表格行）的文本共超过 {MAX_TEXT} 个字符，过多",
            )
    return tuple(checked)


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

    Every length is a number of seconds from 0 to 36,000 (10 hours); ``timescale`` a whole
    number from 1 to 100,000; ``handler`` and ``brand`` 4 bytes each; ``mdat`` at most 500 MiB;
    ``samples`` a whole number from 0 to ``len(mdat)`` (each sample holds a byte at least).
    """
    for name, value, zh in (
        ("seconds", seconds, "seconds（时长，秒）"),
        ("header_seconds", header_seconds, "header_seconds（文件头声明的时长，秒）"),
        ("sound_seconds", sound_seconds, "sound_seconds（音轨时长，秒）"),
    ):
        if value is not None or name == "seconds":
            check_number(name, value, 0, MAX_SECONDS, zh=zh)
    check_number("timescale", timescale, 1, MAX_TIMESCALE, whole=True, zh="timescale（每秒时间单位数）")
    for name, code, zh, like in (
        ("handler", handler, "handler（轨道类型）", "b'vide'"),
        ("brand", brand, "brand（文件品牌）", "b'isom'"),
    ):
        if not isinstance(code, bytes) or len(code) != 4:
            raise InvalidInput(
                f"{name} must be 4 bytes (such as {like}), got {shown(code)}",
                f"{zh} 必须是 4 个字节（如 {like}），收到 {shown(code)}",
            )
    _check_data("mdat", mdat, "mdat（媒体数据）")
    if samples is not None:
        check_number(
            "samples",
            samples,
            0,
            len(mdat),
            whole=True,
            zh="samples（样本数，每个样本至少占 mdat 的 1 字节）",
        )
    count = min(16, len(mdat) // 16) if samples is None else samples
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


def _check_data(name: str, data: object, zh: str, largest: int = MAX_BYTES) -> int:
    """The length of ``data`` (bytes or a bytearray of at most ``largest`` bytes)."""
    if not isinstance(data, (bytes, bytearray)):
        raise wrong_argument(name, "bytes", "字节串（bytes）", data)
    if len(data) > largest:
        raise InvalidInput(
            f"{name} holds {len(data)} bytes; at most {largest} are allowed",
            f"{zh} 为 {len(data)} 字节，最多允许 {largest} 字节",
        )
    return len(data)


def doc_bytes(streams: dict[str, bytes] | None = None) -> bytes:
    """A Word 97-2003 ``.doc`` as a real compound file (what ``olefile`` reads).

    By default it holds a ``WordDocument`` stream of 4 KiB starting with a Word file
    information block (``wIdent`` 0xA5EC, not encrypted) and an empty ``1Table``; other
    ``streams`` (name → bytes) may be given instead. Every stream is kept in 512-byte
    sectors of the main FAT (streams under 4 KiB are padded to it). The text is not a real
    document: pilotflow does not parse the Word binary format.

    At most 1,000 streams of at most 500 MiB together; a stream's name is a text of at most
    31 UTF-16 units without ``/ \\ : !``, no two alike but for case (the compound file rules).
    """
    if streams is not None:
        _check_streams(streams)
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


def _check_streams(streams: object) -> None:
    if not isinstance(streams, Mapping):
        raise wrong_argument("streams", "a dict of stream names to bytes", "字典（流名称 → 字节串）", streams)
    if len(streams) > MAX_STREAMS:
        raise InvalidInput(
            f"streams has {len(streams)} streams; at most {MAX_STREAMS} are allowed",
            f"streams（复合文件的流）共 {len(streams)} 个，最多允许 {MAX_STREAMS} 个",
        )
    total, seen = 0, set()
    for name, data in streams.items():
        check_text(name, "a stream name", 31, zh="流名称")
        if len(name.encode("utf-16-le")) > 62 or any(c in name for c in "/\\:!") or name.upper() in seen:
            raise InvalidInput(
                f"stream name {shown(name)} is not a compound file name: at most 31 UTF-16 units, "
                "none of / \\ : !, no two names alike but for case",
                f"流名称 {shown(name)} 不符合复合文件规则：最多 31 个 UTF-16 单元，不含 / \\ : !，"
                "且不得与其他名称仅大小写不同",
            )
        seen.add(name.upper())
        total += _check_data(f"streams[{shown(name)}]", data, f"流 {shown(name)} 的内容")
    if total > MAX_BYTES:
        raise InvalidInput(
            f"streams hold {total} bytes together; at most {MAX_BYTES} are allowed",
            f"streams（复合文件的流）共 {total} 字节，最多允许 {MAX_BYTES} 字节",
        )


def sample_materials(
    campaign: Campaign, folder: str | os.PathLike[str], kinds: Iterable[str]
) -> list[Material]:
    """For each electronic material kind in ``kinds``, write a fitting real file into
    ``folder`` and inspect it (a PDF for PDF kinds, a .docx for Word kinds, an .xlsx for
    Excel-only kinds, an MP4 of the material's (or campaign's) video length for video kinds;
    a PDF where any format will do).

    ``folder`` must be an existing folder; each file is named ``<kind>.<format>`` there (one
    of that name is replaced). ``kinds`` must name electronic materials of ``campaign``, none
    twice. Every argument is checked before anything is written; the files are written whole
    (each to a ``.partial`` file renamed into place), and a call that then fails removes the
    files it made (:class:`~pilotflow.errors.InvalidInput` naming ``folder`` when the
    operating system refuses a write).
    """
    campaign = check_campaign(campaign)
    base = existing_folder(folder, "folder")
    specs: dict[str, MaterialType] = {}
    for kind in check_sequence(kinds, "kinds"):
        spec = campaign_material_type(campaign, check_text(kind, "kinds item", NAME, zh="材料类型"))
        if spec.paper:
            raise InvalidInput(
                f"{spec.code!r} is a paper material of this campaign, not an electronic one",
                f"「{spec.name.zh}」（{spec.code}）是纸质材料，不是电子材料",
            )
        if spec.code in specs:
            raise InvalidInput(
                f"kinds names {spec.code!r} twice", f"kinds（材料类型）中「{spec.name.zh}」出现了两次"
            )
        specs[spec.code] = spec
    files = [(base / name, data) for name, data in (_sample_file(campaign, spec) for spec in specs.values())]
    made = [path for path, _ in files if not os.path.lexists(path)]
    try:
        write_files(files)
        return [
            inspect_campaign_material(campaign, kind, path)
            for kind, (path, _) in zip(specs, files, strict=True)
        ]
    except BaseException as exc:
        for path in made:  # (a file of the same name that was there before is not restored)
            with contextlib.suppress(OSError):
                path.unlink()
        if isinstance(exc, OSError):
            raise write_refused("folder", base, exc) from exc
        raise


def _sample_file(campaign: Campaign, spec: MaterialType) -> tuple[str, bytes]:
    """The name and bytes of a real file fit for electronic material ``spec``."""
    formats = {fmt.lower() for fmt in spec.formats}
    if "mp4" in formats:
        return f"{spec.code}.mp4", mp4_bytes(spec.video_seconds or campaign.re_review.video_seconds or 300)
    if formats == {"xlsx"}:
        return f"{spec.code}.xlsx", xlsx_bytes()
    if formats and "pdf" not in formats:
        return f"{spec.code}.docx", docx_bytes()
    return f"{spec.code}.pdf", pdf_bytes()


_SAMPLES: dict[tuple[str, str], Material] = {}


def material_for(campaign: Campaign, kind: str, copies: int = 1) -> Material:
    """A material of ``kind`` (a material code of ``campaign``) as the campaign wants it
    attached: a paper kind as ``copies`` declared (a whole number from 1 to 1,000), an
    electronic kind as a sample file checked once per process (its record is immutable, so it
    is shared; the file itself is removed once checked; ``copies`` is checked but a file is
    one copy)."""
    campaign = check_campaign(campaign)
    spec = campaign_material_type(campaign, check_text(kind, "kind", NAME, zh="材料类型"))
    if spec.paper:
        return paper_material(spec, copies)  # (a refused count names the material in Chinese)
    check_copies(spec, copies)
    key = (campaign.revision, spec.code)
    if key not in _SAMPLES:
        with tempfile.TemporaryDirectory(prefix="pilotflow-samples-") as folder:
            _SAMPLES[key] = sample_materials(campaign, folder, [spec.code])[0]
    return _SAMPLES[key]


def _check_per(per: object) -> None:
    if not isinstance(per, str) or per not in MATERIAL_OWNERS:
        raise InvalidInput(
            f"per must be one of {', '.join(map(repr, MATERIAL_OWNERS))}, got {shown(per)}",
            "per（材料归属）必须是 'unit'（各单位的材料）或 'submission'（报送方的推荐函等），"
            f"收到 {shown(per)}",
        )


def required_copies(campaign: Campaign, *, re_review: bool = False, per: str = PER_UNIT) -> dict[str, int]:
    """Every material kind of ``per`` (each unit's own, or ``"submission"``: the senders'
    letters') some hop of ``campaign`` asks for, with the most copies any hop asks
    (``re_review``: with what the hops ask of re-review units as well), in the order the hops
    name them."""
    campaign = check_campaign(campaign)
    check_flag("re_review", re_review)
    _check_per(per)
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
