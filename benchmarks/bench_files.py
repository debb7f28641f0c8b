"""Hostile files against ``inspect_material`` (and a workbook of earlier winners against
``load_winners``): time and extra memory per file, against baselines measured in the same run.

    .venv/bin/python benchmarks/bench_files.py           # full size: files up to ~490 MiB (a few minutes)
    .venv/bin/python benchmarks/bench_files.py --quick   # the same kinds at most 16 MiB (a smoke run)
    .venv/bin/python benchmarks/bench_files.py --only mp4

The corpus is generated into a temporary folder, one file at a time (each is removed once
measured): ZIP bombs and headers that lie, nested and exploding XML, 10,000 tiny ZIP
members, overlapping members, an MP4 followed by millions of empty boxes, MP4 headers that
claim what their samples do not back, a padded ``%PDF-`` header, a PDF listing 400,000
objects, PDFs with thousands of pages or annotations, compound files with impossible FATs or
a looping directory chain, and valid files of each format at the full size.

Every file is inspected in a **fresh subprocess** (parsers imported first, so imports are
not counted), twice: once timed, reading the RSS before and the peak RSS (``VmHWM``) after, and
once under ``tracemalloc`` (the peak of Python allocations). The baselines, in the same run:
hashing the same file with SHA-256 in the same kind of subprocess (time), and inspecting a
small valid file of the same format (memory). The target: every file up to the size limit
(500 MiB) is judged in at most 64 MiB of extra memory and 5 s. Nothing here asserts it: the
machine is shared, so the figures are printed (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
TARGET_MEMORY = 64 * MiB
TARGET_SECONDS = 5.0

W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# -- the child: measure one inspection ------------------------------------------------------------


def child(path: str, fmt: str, mode: str) -> None:
    """Inspect (or hash) ``path`` once and print what it cost as JSON."""
    import lxml.etree  # noqa: F401 - imported before measuring
    import olefile  # noqa: F401
    import pypdf  # noqa: F401

    from pilotflow.campaign import MaterialType, Text
    from pilotflow.errors import CampaignFileError
    from pilotflow.materials import MaterialRejected, inspect_material, inspection_of
    from pilotflow.reports import load_winners

    formats = {"docx": ("doc", "docx"), "doc": ("doc", "docx"), "pdf": ("pdf",), "mp4": ("mp4",)}.get(fmt, ())
    kind = MaterialType("material", Text("material", "材料"), formats=formats)

    def run() -> str:
        if fmt == "winners" and mode != "hash":  # a workbook of earlier winners (register-winners)
            try:
                return f"accepted {len(load_winners(path))} winners"
            except CampaignFileError as refused:
                return f"refused: {refused.en.rpartition(': ')[2][:60]}"
        if mode == "hash":
            sha = hashlib.sha256()
            with open(path, "rb") as f:
                while chunk := f.read(MiB):
                    sha.update(chunk)
            return "hashed"
        try:
            material = inspect_material(
                kind,
                path,
                video_seconds=300 if fmt == "mp4" else None,
                video_tolerance=60 if fmt == "mp4" else None,
            )
        except MaterialRejected as refused:
            return f"refused: {refused.reason}"
        found = inspection_of(material)
        extra = f" {','.join(found.active_content)}" if found and found.active_content else ""
        return f"accepted{extra}"

    reset_peak()
    before = status("VmRSS")
    t0 = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - t0
    rss = status("VmHWM") - before
    peak = 0
    if mode == "inspect":
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps({"outcome": outcome, "seconds": seconds, "rss": rss, "peak": peak}))


def status(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in bytes.

    ``VmHWM`` (the peak RSS) belongs to the address space, so it starts afresh in each
    subprocess (``ru_maxrss`` does not: it carries the parent's peak over the fork).
    """
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise SystemExit(f"bench_files: no {field} in /proc/self/status (Linux only)")


def reset_peak() -> None:
    """Set the peak RSS back to the current RSS (Linux 4.0+), if allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def warm(path: Path) -> None:
    """Read the file once, so that neither measurement pays for the disk."""
    with path.open("rb") as f:
        while f.read(4 * MiB):
            pass


def measure(path: Path, fmt: str, mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), fmt, mode],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_files: measuring {path.name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- builders -------------------------------------------------------------------------------------


def zeros(total: int, step: int = 4 * MiB) -> Iterator[bytes]:
    block = bytes(step)
    while total > 0:
        yield block[: min(step, total)]
        total -= step


def noise(total: int, step: int = 4 * MiB) -> Iterator[bytes]:
    """Incompressible bytes, cheaply: one random block repeated with a changing prefix."""
    block = os.urandom(step)
    i = 0
    while total > 0:
        piece = struct.pack(">Q", i) + block[8 : min(step, total)]
        yield piece[: min(step, total)]
        total -= step
        i += 1


@dataclass
class Member:
    name: str
    data: Callable[[], Iterable[bytes]]
    stored: bool = False
    declared: int | None = None  # the unpacked size the headers claim (None: the truth)
    offset_of: str | None = None  # point this entry at another member's data


def write_zip(path: Path, members: list[Member]) -> None:
    """A ZIP written in one pass with streamed deflate, headers possibly lying."""
    central = []
    offsets: dict[str, tuple[int, bytes]] = {}
    with path.open("wb") as out:
        for m in members:
            name = m.name.encode()
            if m.offset_of is not None:
                offset, local = offsets[m.offset_of]
                central.append((name, local, offset))
                continue
            offset = out.tell()
            out.write(b"\0" * (30 + len(name)))
            crc, size, packed = 0, 0, 0
            deflate = None if m.stored else zlib.compressobj(9, zlib.DEFLATED, -15)
            for piece in m.data():
                crc, size = zlib.crc32(piece, crc), size + len(piece)
                chunk = piece if deflate is None else deflate.compress(piece)
                out.write(chunk)
                packed += len(chunk)
            if deflate is not None:
                tail = deflate.flush()
                out.write(tail)
                packed += len(tail)
            end = out.tell()
            declared = size if m.declared is None else m.declared
            method = 0 if m.stored else 8
            fields = struct.pack("<HHHHHIII", 20, 0, method, 0, 0x21, crc, packed, declared)
            local = fields + struct.pack("<HH", len(name), 0)
            out.seek(offset)
            out.write(b"PK\x03\x04" + local + name)
            out.seek(end)
            offsets[m.name] = (offset, local)
            central.append((name, local, offset))
        start = out.tell()
        for name, local, offset in central:
            out.write(
                b"PK\x01\x02"
                + struct.pack("<H", 20)
                + local[:-4]
                + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset)
                + name
            )
        size = out.tell() - start
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), size, start, 0))


def docx_parts(document: Callable[[], Iterable[bytes]] | None = None) -> list[Member]:
    """The parts of a small real .docx (python-docx's), document.xml optionally replaced."""
    from pilotflow.samples import docx_bytes

    out = []
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "word/document.xml" and document is not None:
                out.append(Member(info.filename, document))
            else:
                out.append(Member(info.filename, lambda data=data: [data]))
    return out


def repeated(head: bytes, unit: bytes, count: int, tail: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        yield head
        per = max(1, MiB // len(unit))
        left = count
        while left > 0:
            yield unit * min(per, left)
            left -= per
        yield tail

    return chunks


def mp4_sparse_samples(samples: int) -> bytes:
    """A 300 s video of ``samples`` samples, each in its own chunk (the slowest table walk)."""
    from pilotflow.samples import mp4_bytes

    base = mp4_bytes(300, samples=1, mdat=bytes(samples))
    # Rebuild the sample tables: one sample per chunk, one byte each.
    timescale, total = 1000, 300_000
    delta = total // samples
    stts = struct.pack(">II", 0, 2) + struct.pack(
        ">IIII", samples - 1, delta, 1, total - (samples - 1) * delta
    )
    stsz = struct.pack(">IIII", 0, 1, samples, 0)[:12]
    stsc = struct.pack(">II", 0, 1) + struct.pack(">III", 1, 1, 1)
    stbl_index = base.index(b"stbl") - 4
    moov_index = base.index(b"moov") - 4
    ftyp_end = moov_index

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    def tables(first: int) -> bytes:
        stco = struct.pack(">II", 0, samples) + b"".join(struct.pack(">I", first + i) for i in range(samples))
        return box(
            b"stbl",
            box(b"stts", stts)
            + box(b"stsz", stsz[:4] + struct.pack(">II", 1, samples))
            + box(b"stsc", stsc)
            + box(b"stco", stco),
        )

    old_stbl_size = struct.unpack_from(">I", base, stbl_index)[0]
    before, after = base[ftyp_end:stbl_index], base[stbl_index + old_stbl_size : base.index(b"mdat") - 4]
    grow = len(tables(0)) - old_stbl_size
    moov = bytearray(before + tables(0) + after)
    # fix the sizes of the boxes enclosing stbl (moov, trak, mdia, minf)
    for kind in (b"moov", b"trak", b"mdia", b"minf"):
        at = moov.index(kind) - 4
        struct.pack_into(">I", moov, at, struct.unpack_from(">I", moov, at)[0] + grow)
    first = ftyp_end + len(moov) + 8
    moov = bytearray(before + tables(first) + after)
    for kind in (b"moov", b"trak", b"mdia", b"minf"):
        at = moov.index(kind) - 4
        struct.pack_into(">I", moov, at, struct.unpack_from(">I", moov, at)[0] + grow)
    del timescale
    return base[:ftyp_end] + bytes(moov) + box(b"mdat", bytes(samples))


def mp4_tracks(tracks: int, samples: int, *, one_offset: bool) -> Callable[[Path], None]:
    """A 300 s MP4 of ``tracks`` identical video tracks, each ``samples`` one-byte samples in
    as many chunks: all at the media data's first byte (``one_offset``) or each its own byte."""

    def build(path: Path) -> None:
        def box(kind: bytes, payload: bytes) -> bytes:
            return struct.pack(">I4s", 8 + len(payload), kind) + payload

        def full(kind: bytes, payload: bytes) -> bytes:
            return box(kind, bytes(4) + payload)

        ftyp = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41")
        first = len(ftyp) + 8
        mdat = box(b"mdat", bytes(1 if one_offset else samples))
        offsets = [first] * samples if one_offset else range(first, first + samples)
        stco = full(b"stco", struct.pack(">I", samples) + struct.pack(f">{samples}I", *offsets))
        stbl = box(
            b"stbl",
            full(b"stts", struct.pack(">III", 1, samples, 1))
            + full(b"stsz", struct.pack(">II", 1, samples))
            + full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
            + stco,
        )
        mdia = box(
            b"mdia",
            full(b"mdhd", struct.pack(">IIIIHH", 0, 0, max(1, samples // 300), samples, 0, 0))
            + full(b"hdlr", struct.pack(">I4s12s", 0, b"vide", bytes(12)) + b"v\0")
            + box(b"minf", stbl),
        )
        trak = box(b"trak", full(b"tkhd", bytes(80)) + mdia)
        mvhd = full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 300_000) + bytes(80))
        with path.open("wb") as out:
            out.write(ftyp + mdat + struct.pack(">I4s", 8 + len(mvhd) + len(trak) * tracks, b"moov") + mvhd)
            for _ in range(tracks):
                out.write(trak)

    return build


def namespace_paragraphs(total: int, each: int = 1000) -> Callable[[], Iterator[bytes]]:
    """A document.xml of about ``total`` bytes of empty paragraphs, each declaring ``each``
    namespaces of its own (prefixes never repeated)."""

    def chunks() -> Iterator[bytes]:
        yield b"<w:document " + W + b"><w:body>"
        done, i = 0, 0
        while done < total:
            piece = b"<w:p " + b" ".join(b'xmlns:n%d="urn:%d"' % (i + j, j) for j in range(each)) + b"/>"
            yield piece
            done, i = done + len(piece), i + each
        yield b"</w:body></w:document>"

    return chunks


def object_stream_pdf(streams: int, decoded: int, pad: bytes = b" ") -> bytes:
    """A PDF whose ``streams`` pages each sit alone in a Flate object stream inflating to
    ``decoded`` bytes (the page, then ``pad``), listed by a cross-reference stream. (The
    tests build their small ones with it too.)"""
    parts = [b"%PDF-1.7\n"]
    offsets: dict[int, int] = {}

    def add(num: int, body: bytes, data: bytes | None = None) -> None:
        offsets[num] = sum(map(len, parts))
        if data is not None:
            body = body[:-2] + b"/Length %d >>\nstream\n%s\nendstream" % (len(data), data)
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (num, body))

    kids = b" ".join(b"%d 0 R" % (100 + i) for i in range(streams))
    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, streams))
    entries = {}
    for i in range(streams):
        head = b"%d 0 " % (100 + i)
        page = head + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"
        packed = zlib.compress(page.ljust(decoded, pad), 9)
        add(1000 + i, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode >>" % len(head), packed)
        entries[100 + i] = (2, 1000 + i, 0)
    xref = 1000 + streams
    entries.update({num: (1, offset, 0) for num, offset in offsets.items()})
    entries[xref] = (1, sum(map(len, parts)), 0)
    rows = b"".join(struct.pack(">BIH", *entries[num]) for num in sorted(entries))
    index = b" ".join(b"%d 1" % num for num in sorted(entries))
    add(xref, b"<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Root 1 0 R >>" % (xref + 1, index), rows)
    return b"".join(parts) + b"startxref\n%d\n%%%%EOF\n" % offsets[xref]


def pdf_object_streams(streams: int, decoded: int) -> Callable[[Path], None]:
    """:func:`object_stream_pdf` written to the case's path."""

    def build(path: Path) -> None:
        path.write_bytes(object_stream_pdf(streams, decoded))

    return build


def pdf_with(pages: int = 1, annotations: int = 0, stream: int = 0) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        import pypdf
        from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

        writer = pypdf.PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
        page = writer.pages[0]
        if annotations:
            rect = ArrayObject([NumberObject(n) for n in (0, 0, 10, 10)])
            link = {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): rect,
            }
            page[NameObject("/Annots")] = ArrayObject(
                writer._add_object(DictionaryObject(link)) for _ in range(annotations)
            )
        if stream:
            blob = DecodedStreamObject()
            blob.set_data(b"\0")
            page[NameObject("/PieceInfo")] = writer._add_object(blob)
        with path.open("wb") as out:
            writer.write(out)
        if stream:  # grow the stream object in place: a huge /Length of real bytes
            data = path.read_bytes()
            marker = b"stream\n\x00\nendstream"
            at = data.index(marker)
            head = data[:at]
            length_at = head.rindex(b"/Length 1")
            head = head[:length_at] + b"/Length %d" % stream + head[length_at + len(b"/Length 1") :]
            shift = len(head) - at + stream - 1
            rest = data[at + len(marker) :]
            with path.open("wb") as out:
                out.write(head + b"stream\n")
                for piece in zeros(stream):
                    out.write(piece)
                out.write(b"\nendstream")
                out.write(_shift_xref(rest, at, shift))

    return build


def _shift_xref(rest: bytes, after: int, shift: int) -> bytes:
    """The tail of a pypdf-written PDF with every xref offset past ``after`` moved by ``shift``."""
    head, _, table = rest.partition(b"xref\n")
    lines = table.split(b"\n")
    out = [lines[0]]
    for line in lines[1:]:
        if len(line) == 18 and line.endswith(b" n"):
            offset = int(line[:10])
            line = b"%010d" % (offset + shift if offset > after else offset) + line[10:]
        out.append(line)
    text = b"\n".join(out)
    start = text.rindex(b"startxref\n") + 10
    end = text.index(b"\n", start)
    return head + b"xref\n" + text[:start] + b"%d" % (int(text[start:end]) + shift) + text[end:]


def pdf_many_objects(count: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        from pilotflow.samples import pdf_bytes

        base = pdf_bytes()
        prev = int(base[base.rindex(b"startxref") + 9 :].split()[0])
        with path.open("wb") as out:
            out.write(base)
            out.write(b"xref\n0 %d\n" % count)
            for piece in repeated(b"", b"0000000009 00000 n \n", count, b"")():
                out.write(piece)
            out.write(
                b"trailer\n<< /Size %d /Root 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
                % (count, prev, len(base))
            )

    return build


def padded_pdf(size: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        with path.open("wb") as out:
            out.write(b"%PDF-1.7\n")
            out.truncate(size)

    return build


def doc_big(size: int, loop: bool = False) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        from pilotflow.samples import doc_bytes

        fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0).ljust(4096, b"\0")
        data = bytearray(doc_bytes({"WordDocument": fib + bytes(size - 4096), "1Table": bytes(4096)}))
        if loop:
            first_dir = struct.unpack_from("<I", data, 48)[0]
            fat_sector = struct.unpack_from("<I", data, 76)[0]
            struct.pack_into("<I", data, 512 * (fat_sector + 1) + 4 * first_dir, first_dir)
        path.write_bytes(data)

    return build


def doc_fat_claim(path: Path) -> None:
    from pilotflow.samples import doc_bytes

    data = bytearray(doc_bytes())
    struct.pack_into("<I", data, 44, 2**31)
    path.write_bytes(data)


def raw(data: Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data())


def zipped(members: Callable[[], list[Member]]) -> Callable[[Path], None]:
    return lambda path: write_zip(path, members())


# -- the corpus -----------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    fmt: str  # docx, doc, pdf, mp4; winners (a workbook for load_winners)
    build: Callable[[Path], None]
    suffix: str


def winners_workbook(count: int, extra: bytes = b"") -> Callable[[], bytes]:
    """A workbook of ``count`` earlier winners; ``extra``: an XML part nothing refers to."""

    def build() -> bytes:
        import openpyxl

        from pilotflow.testing import StoreContract

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
        for i in range(count):
            sheet.append([StoreContract.unit_code(i), f"单位{i}", "enterprise", 2017, "371002"])
        saved = io.BytesIO()
        book.save(saved)
        if not extra:
            return saved.getvalue()
        out = io.BytesIO()
        with (
            zipfile.ZipFile(saved) as original,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        ):
            for info in original.infolist():
                z.writestr(info, original.read(info))
            z.writestr("xl/extra.xml", extra)
        return out.getvalue()

    return build


def corpus(big: int) -> list[Case]:
    """The hostile files (and full-size valid ones); ``big`` is the size of the large ones."""
    from pilotflow.samples import mp4_bytes

    huge_xml = min(big, 450 * MiB)
    tracks = max(2, min(240, big // (2 * MiB)))  # about 2 MiB of tables each
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">'
        + b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
        + b"]><w:document "
        + W
        + b"><w:body><w:p>&l9;</w:p></w:body></w:document>"
    )

    def mp4_huge_moov() -> bytes:
        data = mp4_bytes(300)
        at = data.index(b"moov") - 4
        return data[:at] + struct.pack(">I4sQ", 1, b"moov", 2**62) + data[at + 8 :]

    def lying() -> list[Member]:
        return [*docx_parts(), Member("word/media/image1.png", lambda: zeros(2 * big), declared=1000)]

    def overlapping() -> list[Member]:
        blob = Member("word/media/blob.bin", lambda: zeros(big))
        return [
            *docx_parts(),
            blob,
            *(Member(f"word/media/o{i}.bin", blob.data, offset_of=blob.name) for i in range(1000)),
        ]

    return [
        # .docx
        Case("docx: headers claim 1000 B, part inflates to 2x the limit", "docx", zipped(lying), ".docx"),
        Case(
            "docx: image part unpacks to 450 MiB (honest headers)",
            "docx",
            zipped(
                lambda: [*docx_parts(), Member("word/media/image1.png", lambda: zeros(min(big, 450 * MiB)))]
            ),
            ".docx",
        ),
        Case(
            "docx: stored noise, full size",
            "docx",
            zipped(
                lambda: [*docx_parts(), Member("word/media/v.bin", lambda: noise(big - MiB), stored=True)]
            ),
            ".docx",
        ),
        Case("docx: 1000 entries share one bomb (overlap)", "docx", zipped(overlapping), ".docx"),
        Case(
            "docx: document.xml nested 10^6 deep",
            "docx",
            zipped(lambda: docx_parts(repeated(b"<w:document " + W + b"><w:body>", b"<w:p>", 10**6, b""))),
            ".docx",
        ),
        Case(
            "docx: billion laughs in document.xml",
            "docx",
            zipped(lambda: docx_parts(lambda: [laughs])),
            ".docx",
        ),
        Case(
            "docx: 30 MiB of <w:p/> (densest XML under the cap)",
            "docx",
            zipped(
                lambda: docx_parts(
                    repeated(
                        b"<w:document " + W + b"><w:body>",
                        b"<w:p/>",
                        min(big, 30 * MiB) // 6,
                        b"</w:body></w:document>",
                    )
                )
            ),
            ".docx",
        ),
        Case(
            f"docx: {huge_xml // MiB} MiB of XML (past the XML cap)",
            "docx",
            zipped(
                lambda: docx_parts(
                    repeated(
                        b"<w:document " + W + b"><w:body>",
                        b"<w:p>x</w:p>",
                        huge_xml // 12,
                        b"</w:body></w:document>",
                    )
                )
            ),
            ".docx",
        ),
        Case(
            "docx: one tag of 2*10^6 attributes",
            "docx",
            zipped(
                lambda: docx_parts(
                    lambda: [
                        b"<w:document " + W + b"><w:body><w:p ",
                        b" ".join(b'a%d="x"' % i for i in range(2 * 10**6)),
                        b"/></w:body></w:document>",
                    ]
                )
            ),
            ".docx",
        ),
        Case(
            "docx: 29 MiB of <w:p> declaring 1,000 namespaces each",
            "docx",
            zipped(lambda: docx_parts(namespace_paragraphs(min(big, 29 * MiB)))),
            ".docx",
        ),
        Case(
            "docx: 10,000 tiny members",
            "docx",
            zipped(
                lambda: [
                    *docx_parts(),
                    *(Member(f"customXml/i{i}.xml", lambda: [b"<a/>"]) for i in range(10_000)),
                ]
            ),
            ".docx",
        ),
        Case(
            "docx: 40,000 tiny members",
            "docx",
            zipped(
                lambda: [
                    *docx_parts(),
                    *(Member(f"c/{i}", lambda: [b""], stored=True) for i in range(40_000)),
                ]
            ),
            ".docx",
        ),
        # MP4
        Case(
            "mp4: 300 s + 40 MiB of empty 8-byte boxes",
            "mp4",
            raw(lambda: mp4_bytes(300) + struct.pack(">I4s", 8, b"free") * (min(big, 40 * MiB) // 8)),
            ".mp4",
        ),
        Case("mp4: moov declares 2^62 bytes", "mp4", raw(mp4_huge_moov), ".mp4"),
        Case(
            "mp4: headers claim 300 s, no samples",
            "mp4",
            raw(lambda: mp4_bytes(300, samples=0, mdat=bytes(8))),
            ".mp4",
        ),
        Case(
            "mp4: 300 s of sound beside 1 s of video",
            "mp4",
            raw(lambda: mp4_bytes(1, sound_seconds=300)),
            ".mp4",
        ),
        Case(
            "mp4: 300 s video, full-size media data",
            "mp4",
            raw(lambda: mp4_bytes(300, mdat=bytes(big - MiB))),
            ".mp4",
        ),
        Case(
            "mp4: 500,000 samples in 500,000 chunks", "mp4", raw(lambda: mp4_sparse_samples(500_000)), ".mp4"
        ),
        Case(
            "mp4: 300 one-byte samples at one offset claim 300 s",
            "mp4",
            mp4_tracks(1, 300, one_offset=True),
            ".mp4",
        ),
        Case(
            f"mp4: {tracks} video tracks x 500,000 chunks at one offset",
            "mp4",
            mp4_tracks(tracks, 500_000, one_offset=True),
            ".mp4",
        ),
        Case(
            f"mp4: {tracks} video tracks x 500,000 chunks, own bytes",
            "mp4",
            mp4_tracks(tracks, 500_000, one_offset=False),
            ".mp4",
        ),
        # PDF
        Case(f"pdf: %PDF- padded to {big // MiB} MiB", "pdf", padded_pdf(big), ".pdf"),
        Case("pdf: xref lists 400,000 objects", "pdf", pdf_many_objects(400_000), ".pdf"),
        Case("pdf: xref lists 4,000,000 objects", "pdf", pdf_many_objects(4_000_000), ".pdf"),
        Case("pdf: 10,000 pages", "pdf", pdf_with(pages=10_000), ".pdf"),
        Case("pdf: 20,001 link annotations", "pdf", pdf_with(annotations=20_001), ".pdf"),
        Case(
            "pdf: 20 object streams inflating to 15 MiB each",
            "pdf",
            pdf_object_streams(20, min(big, 15 * MiB)),
            ".pdf",
        ),
        Case("pdf: one page and a full-size stream", "pdf", pdf_with(stream=big - MiB), ".pdf"),
        # .doc
        Case(
            "winners xlsx: an unreferenced part of 10^7 empty elements",
            "winners",
            raw(winners_workbook(1, b"<a>" + b"<b/>" * 10_000_000 + b"</a>")),
            ".xlsx",
        ),
        Case(
            "winners xlsx: an unreferenced part nested 10^6 deep",
            "winners",
            raw(winners_workbook(1, b"<a>" + b"<r>" * 1_000_000 + b"</r>" * 1_000_000 + b"</a>")),
            ".xlsx",
        ),
        Case(
            "winners xlsx: an unreferenced part of one 100 MiB text",
            "winners",
            raw(winners_workbook(1, b"<a>" + b"x" * (100 * MiB) + b"</a>")),
            ".xlsx",
        ),
        Case("doc: header claims 2^31 FAT sectors", "doc", doc_fat_claim, ".doc"),
        Case("doc: WordDocument stream, full size", "doc", doc_big(big - MiB), ".doc"),
        Case("doc: full size, directory chain loops", "doc", doc_big(big - MiB, loop=True), ".doc"),
    ]


def baselines() -> list[Case]:
    from pilotflow.samples import doc_bytes, docx_bytes, mp4_bytes, pdf_bytes

    return [
        Case("docx", "docx", raw(docx_bytes), ".docx"),
        Case("doc", "doc", raw(doc_bytes), ".doc"),
        Case("pdf", "pdf", raw(pdf_bytes), ".pdf"),
        Case("mp4", "mp4", raw(lambda: mp4_bytes(300)), ".mp4"),
        Case("winners", "winners", raw(winners_workbook(1_000)), ".xlsx"),
    ]


# -- the run --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="large files at most 16 MiB (a smoke run)")
    parser.add_argument("--size", type=int, default=490, help="size of the large files, MiB (default 490)")
    parser.add_argument("--only", default="", help="only cases whose name contains this text")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    big = (16 if args.quick else args.size) * MiB
    from importlib import metadata

    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pypdf", "lxml", "olefile"))
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; {versions}; "
        f"large files {big // MiB} MiB"
    )
    with tempfile.TemporaryDirectory(prefix="bench-files-") as folder:
        cases = [case for case in corpus(big) if args.only in case.name]
        base: dict[str, dict[str, object]] = {}
        for case in baselines():
            if case.fmt not in {c.fmt for c in cases}:
                continue
            path = Path(folder) / f"valid{case.suffix}"
            case.build(path)
            base[case.fmt] = measure(path, case.fmt, "inspect")
            path.unlink()
        print("\nbaseline (a small valid file of each format, inspected):")
        for fmt, got in base.items():
            print(
                f"  {fmt:<5} {got['outcome']:<10} {got['seconds']:.3f} s  RSS +{mib(got['rss'])}  "
                f"tracemalloc peak {mib(got['peak'])}"
            )
        header = (
            f"{'file':<58} {'size':>9} {'outcome':<26} {'time':>7} {'x hash':>7} "
            f"{'RSS +':>9} {'py peak':>9} {'x valid':>8}  ok"
        )
        print("\n" + header + "\n" + "-" * len(header))
        worst_time, worst_memory, all_ok = 0.0, 0, True
        for case in cases:
            path = Path(folder) / f"case{case.suffix}"
            case.build(path)
            size = path.stat().st_size
            warm(path)  # both measurements read it from the page cache
            got = measure(path, case.fmt, "inspect")
            hashed = measure(path, case.fmt, "hash")
            path.unlink()
            seconds, rss, peak = float(got["seconds"]), int(got["rss"]), int(got["peak"])  # type: ignore[arg-type, call-overload]
            memory = max(rss, peak)
            ok = seconds <= TARGET_SECONDS and memory <= TARGET_MEMORY
            all_ok &= ok
            worst_time, worst_memory = max(worst_time, seconds), max(worst_memory, memory)
            valid = max(int(base[case.fmt]["rss"]), int(base[case.fmt]["peak"]), 1)  # type: ignore[call-overload]
            print(
                f"{case.name:<58} {mib(size):>9} {got['outcome']!s:<26} {seconds:>6.2f}s "
                f"{seconds / max(float(hashed['seconds']), 1e-6):>7.1f} {mib(rss):>9} {mib(peak):>9} "  # type: ignore[arg-type]
                f"{memory / valid:>8.1f}  {'yes' if ok else 'NO'}",
                flush=True,
            )
    print(
        f"\nworst: {worst_time:.2f} s, {mib(worst_memory)} extra memory "
        f"(target: {TARGET_SECONDS:.0f} s, {mib(TARGET_MEMORY)}): {'met' if all_ok else 'NOT met'}"
    )
    print(
        "time: one inspection, no tracemalloc; x hash: that time over SHA-256 of the same file\n"
        "in the same kind of subprocess; RSS +: peak RSS (VmHWM) over the RSS before it;\n"
        "py peak: tracemalloc peak (second run); x valid: max(RSS +, py peak) over the same\n"
        "for a small valid file of the format"
    )


def mib(n: object) -> str:
    return f"{int(n) / MiB:.1f} MiB"  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
