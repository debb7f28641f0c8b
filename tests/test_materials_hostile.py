"""Hostile files: every inspection is bounded whatever the file claims.

Each test generates a small hostile file (ZIP headers that lie, bombs, nested or exploding
XML, MP4s whose headers claim what their samples do not back, padded or scripted PDFs,
compound files with impossible FATs) and pins the reason it is refused with, or that it is
accepted and what is reported. Where it is cheap, ``tracemalloc`` pins that memory stays
bounded. No time is asserted. ``benchmarks/bench_files.py`` measures the same kinds of file
at the full size limit.
"""

from __future__ import annotations

import contextlib
import io
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from pilotflow.campaign import MaterialType, Text
from pilotflow.materials import MEDIA_TYPES, MaterialRejected, inspect_material, inspection_of
from pilotflow.samples import doc_bytes, docx_bytes, mp4_bytes, pdf_bytes

import bench_files

PDF_KIND = MaterialType("application_form_pdf", Text("application form (PDF)", "申报书电子版（PDF）"),
                        formats=("pdf",))  # fmt: skip
WORD_KIND = MaterialType("application_form_word", Text("application form (Word)", "申报书电子版（Word）"),
                         formats=("doc", "docx"))  # fmt: skip
VIDEO_KIND = MaterialType("re_review_video", Text("video", "视频资料"), formats=("mp4",))

MiB = 1 << 20


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(kind: MaterialType, path: Path, **kwargs: object) -> MaterialRejected:
    """The MaterialRejected inspecting ``path`` raises."""
    with pytest.raises(MaterialRejected) as info:
        inspect_material(kind, path, **kwargs)  # type: ignore[arg-type]
    return info.value


def peak_while(action: Callable[[], object]) -> int:
    """The peak of memory traced by tracemalloc while ``action`` runs (bytes)."""
    tracemalloc.start()
    try:
        with contextlib.suppress(MaterialRejected):
            action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- .docx ----------------------------------------------------------------------------------------


def with_parts(
    parts: dict[str, bytes], base: bytes | None = None, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A .docx (python-docx's, or ``base``) with ``parts`` replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base or docx_bytes())) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info.filename, src.read(info.filename))
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with the unpacked size of member ``name`` rewritten to ``size`` in both its
    local header and the central directory (the bytes stay what they were)."""
    out = bytearray(data)
    encoded = name.encode()
    local = data.index(b"PK\x03\x04")  # the first local header
    while local >= 0:
        name_length = struct.unpack_from("<H", out, local + 26)[0]
        if bytes(out[local + 30 : local + 30 + name_length]) == encoded:
            struct.pack_into("<I", out, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", out, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_part_unpacking_to_more_than_its_header_says_is_inconsistent(tmp_path: Path) -> None:
    """ZIP headers that understate a part's size are not trusted: the real bytes are counted
    as they are inflated, and the part is refused as soon as it passes the declared size."""
    data = lie_about_size(
        with_parts({"word/media/image1.png": bytes(8 * MiB)}), "word/media/image1.png", 1000
    )
    path = write(tmp_path, "bomb.docx", data)
    error = refused(WORD_KIND, path)
    assert ("inconsistent", True) == (error.reason, "more than the 1000 bytes" in error.details["complaint"])
    assert peak_while(lambda: inspect_material(WORD_KIND, path)) < 8 * MiB


def test_a_big_image_part_is_streamed_not_loaded(tmp_path: Path) -> None:
    """A small .docx whose image unpacks to 64 MiB is accepted, having been inflated in small
    steps: memory stays far below the part's size."""
    path = write(tmp_path, "big.docx", with_parts({"word/media/image1.png": bytes(64 * MiB)}))
    assert path.stat().st_size < MiB
    assert peak_while(lambda: inspect_material(WORD_KIND, path)) < 8 * MiB
    assert "big.docx" == inspect_material(WORD_KIND, path).filename


def test_a_docx_unpacking_past_max_bytes_is_too_large(tmp_path: Path) -> None:
    """What the parts really unpack to is capped at max_bytes, even when the headers agree."""
    path = write(tmp_path, "big.docx", with_parts({"word/media/image1.png": bytes(4 * MiB)}))
    error = refused(WORD_KIND, path, max_bytes=2 * MiB)
    assert ("too_large", 2 * MiB) == (error.reason, error.details["max_bytes"])


def test_a_docx_declaring_more_than_max_bytes_is_refused_unread(tmp_path: Path) -> None:
    """Headers claiming more than max_bytes are refused before anything is inflated."""
    data = lie_about_size(docx_bytes(), "word/document.xml", 3_000_000_000)
    assert "too_large" == refused(WORD_KIND, write(tmp_path, "claims.docx", data)).reason


def test_deeply_nested_xml_is_too_complex(tmp_path: Path) -> None:
    """A document.xml nested 100,000 levels deep is refused, not parsed into a tree."""
    w = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        b"<w:document "
        + w
        + b"><w:body>"
        + b"<w:p>" * 100_000
        + b"</w:p>" * 100_000
        + b"</w:body></w:document>"
    )
    error = refused(WORD_KIND, write(tmp_path, "deep.docx", with_parts({"word/document.xml": body})))
    assert ("too_complex", True) == (error.reason, "256 levels" in error.en)


def test_an_entity_bomb_in_the_document_is_refused(tmp_path: Path) -> None:
    """A billion-laughs DTD in document.xml is refused: Office XML never declares a DTD."""
    entities = b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    bomb = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">' + entities + b"]>"
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p>&l9;</w:p></w:body></w:document>")  # fmt: skip
    error = refused(WORD_KIND, write(tmp_path, "laughs.docx", with_parts({"word/document.xml": bomb})))
    assert ("corrupt", True) == (error.reason, "DTD" in error.details["complaint"])


def test_a_tag_too_long_to_buffer_is_too_complex(tmp_path: Path) -> None:
    """One start tag of 100,000 attributes is refused before the XML parser buffers it."""
    attributes = b" ".join(b'a%d="x"' % i for i in range(100_000))
    body = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p " + attributes + b"/></w:body></w:document>")  # fmt: skip
    error = refused(WORD_KIND, write(tmp_path, "tag.docx", with_parts({"word/document.xml": body})))
    assert "too_complex" == error.reason


def declaring(elements: int, each: int = 1000) -> bytes:
    """A document.xml whose body holds ``elements`` empty paragraphs, each declaring ``each``
    namespaces of its own."""
    paragraphs = (
        b"<w:p " + b" ".join(b'xmlns:n%d="urn:%d"' % (i * each + j, j) for j in range(each)) + b"/>"
        for i in range(elements)
    )
    return (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>" + b"".join(paragraphs) + b"</w:body></w:document>")  # fmt: skip


def test_namespace_declarations_past_the_bound_are_too_complex(tmp_path: Path) -> None:
    """libxml2 keeps every namespace declaration, even of dropped elements: 101 paragraphs
    declaring 1,000 namespaces each (101,000, past the bound of 100,000 for the whole
    package) are refused as too complex, while 50,000 declarations are accepted."""
    path = write(tmp_path, "ns.docx", with_parts({"word/document.xml": declaring(101)}))
    assert path.stat().st_size < 500_000
    error = refused(WORD_KIND, path)
    assert ("too_complex", True) == (error.reason, "namespace declarations" in error.details["limit"])
    assert "命名空间" in error.zh
    fewer = write(tmp_path, "fewer.docx", with_parts({"word/document.xml": declaring(50)}))
    assert MEDIA_TYPES["docx"] == inspect_material(WORD_KIND, fewer).media_type


def test_namespace_declarations_are_counted_across_parts(tmp_path: Path) -> None:
    """The bound on namespace declarations holds for the whole package: 60,000 in the
    document and 60,000 in another part are refused, each part alone being within it."""
    parts = {"word/document.xml": declaring(60), "customXml/item1.xml": declaring(60)}
    error = refused(WORD_KIND, write(tmp_path, "ns.docx", with_parts(parts)))
    assert ("too_complex", True) == (error.reason, "customXml/item1.xml" in error.details["limit"])


def test_ten_thousand_and_one_parts_are_too_complex(tmp_path: Path) -> None:
    """A .docx with more than 10,000 parts is refused without reading them."""
    parts = {f"customXml/item{i}.xml": b"<a/>" for i in range(10_001)}
    error = refused(WORD_KIND, write(tmp_path, "many.docx", with_parts(parts, method=zipfile.ZIP_STORED)))
    assert ("too_complex", True) == (error.reason, "parts, more than 10000" in error.en)


def test_a_zip_directory_larger_than_the_bound_is_too_complex(tmp_path: Path) -> None:
    """A central directory over 2 MiB (here: long member comments) is not loaded."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", b"<x/>")
        for i in range(40):
            info = zipfile.ZipInfo(f"c{i}.xml")
            info.comment = b"c" * 60_000
            archive.writestr(info, b"<a/>")
    assert "too_complex" == refused(WORD_KIND, write(tmp_path, "cd.docx", out.getvalue())).reason


def test_parts_sharing_their_bytes_are_inconsistent(tmp_path: Path) -> None:
    """Two directory entries pointing at the same compressed data (an overlapping ZIP bomb)
    are refused before anything is inflated."""
    data = bytearray(with_parts({"word/media/a.bin": bytes(1000), "word/media/b.bin": bytes(1000)}))
    first = data.index(b"word/media/a.bin") - 30
    central_b = data.rindex(b"word/media/b.bin") - 46
    struct.pack_into("<I", data, central_b + 42, first)  # b's local header offset := a's
    error = refused(WORD_KIND, write(tmp_path, "overlap.docx", bytes(data)))
    assert ("inconsistent", True) == (error.reason, "share bytes" in error.details["complaint"])


def test_a_macro_enabled_document_is_named_and_refused(tmp_path: Path) -> None:
    """A .docm renamed .docx is recognised from its content type and refused as not allowed."""
    base = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    error = refused(WORD_KIND, write(tmp_path, "m.docx", with_parts({"[Content_Types].xml": macro}, base)))
    assert ("format_not_allowed", "docm") == (error.reason, error.details["detected"])


def test_a_document_without_a_body_is_corrupt(tmp_path: Path) -> None:
    """The main part must be a w:document holding a w:body."""
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    error = refused(WORD_KIND, write(tmp_path, "nobody.docx", with_parts({"word/document.xml": body})))
    assert ("corrupt", True) == (error.reason, "w:body" in error.details["complaint"])


def test_a_part_failing_its_crc_is_corrupt(tmp_path: Path) -> None:
    """A stored part whose bytes were changed after its CRC-32 was written is refused."""
    data = with_parts({"word/media/a.bin": b"A" * 4000}, method=zipfile.ZIP_STORED)
    data = data.replace(b"A" * 4000, b"B" * 4000)
    error = refused(WORD_KIND, write(tmp_path, "crc.docx", data))
    assert ("corrupt", True) == (error.reason, "CRC-32" in error.details["complaint"])


# -- MP4 ------------------------------------------------------------------------------------------


def test_a_header_claiming_five_minutes_with_no_samples_is_refused(tmp_path: Path) -> None:
    """A few hundred bytes whose headers declare 300 s but whose video track lists no samples
    is not a five-minute video."""
    data = mp4_bytes(300, samples=0, mdat=bytes(8))
    assert len(data) < 700
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", data), video_seconds=300, video_tolerance=60)
    assert ("inconsistent", True) == (error.reason, "no samples" in error.details["complaint"])


def test_a_long_sound_track_does_not_make_a_short_video_long(tmp_path: Path) -> None:
    """300 s of sound beside 1 s of video: the video's own samples give 1 s, refused."""
    data = mp4_bytes(1, sound_seconds=300)
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", data), video_seconds=300, video_tolerance=60)
    assert ("video_duration", 1.0) == (error.reason, error.details["duration"])


def test_a_track_header_disagreeing_with_its_samples_is_inconsistent(tmp_path: Path) -> None:
    """A track header declaring 300 s over samples lasting 10 s is refused."""
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(10, header_seconds=300)))
    assert ("inconsistent", True) == (error.reason, "samples last 10.0 s" in error.details["complaint"])


def test_empty_boxes_after_the_movie_are_counted_as_walked(tmp_path: Path) -> None:
    """A valid video followed by 20,000 empty 8-byte boxes is refused at the 10,000th box,
    without listing them all first."""
    data = mp4_bytes(300) + struct.pack(">I4s", 8, b"free") * 20_000
    path = write(tmp_path, "v.mp4", data)
    assert "too_complex" == refused(VIDEO_KIND, path).reason
    assert peak_while(lambda: inspect_material(VIDEO_KIND, path)) < 4 * MiB


def test_a_huge_movie_box_size_is_a_truncated_file(tmp_path: Path) -> None:
    """A moov box claiming 2**40 bytes (a 64-bit size) in a small file is refused as truncated."""
    data = mp4_bytes(300)
    moov = data.index(b"moov") - 4
    huge = data[:moov] + struct.pack(">I4sQ", 1, b"moov", 2**40) + data[moov + 8 :]
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", huge))
    assert ("corrupt", True) == (error.reason, "truncated" in error.details["complaint"])


def test_samples_outside_the_media_data_are_inconsistent(tmp_path: Path) -> None:
    """A chunk offset pointing past the media data means the samples are not in the file."""
    data = bytearray(mp4_bytes(300))
    stco = data.index(b"stco")
    struct.pack_into(">I", data, stco + 12, len(data) + 1000)
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", bytes(data)))
    assert ("inconsistent", True) == (error.reason, "outside the media data" in error.details["complaint"])


def test_a_time_table_claiming_more_entries_than_it_holds_is_inconsistent(tmp_path: Path) -> None:
    """An stts entry count of 2**31 in a table of two entries is refused, not believed."""
    data = bytearray(mp4_bytes(300))
    stts = data.index(b"stts")
    struct.pack_into(">I", data, stts + 8, 2**31)
    assert "inconsistent" == refused(VIDEO_KIND, write(tmp_path, "v.mp4", bytes(data))).reason


def test_a_fragmented_mp4_is_named_and_refused(tmp_path: Path) -> None:
    """Samples in movie fragments (moof) are not checked: such a file is refused by name."""
    data = mp4_bytes(300) + struct.pack(">I4s", 16, b"moof") + struct.pack(">I4s", 8, b"mfhd")
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", data))
    assert ("format_not_allowed", "fmp4") == (error.reason, error.details["detected"])


def video_tracks_mp4(tracks: int, samples: int, chunks: list[int]) -> bytes:
    """An MP4 whose ``tracks`` identical video tracks each time ``samples`` one-byte samples
    over 300 s, split evenly over chunks at ``chunks`` (offsets into the media data)."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    def full(kind: bytes, payload: bytes) -> bytes:
        return box(kind, bytes(4) + payload)

    ftyp = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41")
    first = len(ftyp) + 8
    mdat = box(b"mdat", bytes(samples + max(chunks)))
    stbl = box(
        b"stbl",
        full(b"stts", struct.pack(">III", 1, samples, 1))
        + full(b"stsz", struct.pack(">II", 1, samples))
        + full(b"stsc", struct.pack(">IIII", 1, 1, samples // len(chunks), 1))
        + full(
            b"stco", struct.pack(">I", len(chunks)) + b"".join(struct.pack(">I", first + c) for c in chunks)
        ),
    )
    mdia = box(
        b"mdia",
        full(b"mdhd", struct.pack(">IIIIHH", 0, 0, max(1, samples // 300), samples, 0, 0))
        + full(b"hdlr", struct.pack(">I4s12s", 0, b"vide", bytes(12)) + b"v\0")
        + box(b"minf", stbl),
    )
    trak = box(b"trak", full(b"tkhd", bytes(80)) + mdia)
    mvhd = full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 300_000) + bytes(80))
    return ftyp + mdat + box(b"moov", mvhd + trak * tracks)


def test_samples_sharing_their_bytes_are_inconsistent(tmp_path: Path) -> None:
    """300 one-byte samples all stored at the same offset of the media data do not make a
    300 s video: chunks sharing a byte are refused as inconsistent."""
    data = video_tracks_mp4(1, 300, [0] * 300)
    assert len(data) < 2000
    error = refused(VIDEO_KIND, write(tmp_path, "v.mp4", data), video_seconds=300, video_tolerance=60)
    assert ("inconsistent", True) == (error.reason, "overlap" in error.details["complaint"])
    assert "共用数据" in error.zh


def test_chunks_listed_out_of_file_order_are_accepted(tmp_path: Path) -> None:
    """Chunks that do not share bytes are accepted whatever order their offsets are listed in."""
    data = video_tracks_mp4(1, 300, [200, 100, 0])
    assert 300.0 == inspect_material(VIDEO_KIND, write(tmp_path, "v.mp4", data)).duration
    assert (
        "inconsistent"
        == refused(VIDEO_KIND, write(tmp_path, "w.mp4", video_tracks_mp4(1, 300, [200, 0, 101]))).reason
    )


def test_video_samples_are_bounded_across_all_tracks(tmp_path: Path) -> None:
    """Three video tracks of 210,000 samples each (each within the bound) are 630,000 samples
    in all, past the bound of 500,000 for the whole file: too complex (two such tracks pass)."""
    path = write(tmp_path, "v.mp4", video_tracks_mp4(3, 210_000, [0]))
    assert path.stat().st_size < 250_000
    error = refused(VIDEO_KIND, path)
    assert ("too_complex", True) == (error.reason, "in all its video tracks" in error.details["limit"])
    assert (
        300.0
        == inspect_material(VIDEO_KIND, write(tmp_path, "w.mp4", video_tracks_mp4(2, 210_000, [0]))).duration
    )


# -- PDF ------------------------------------------------------------------------------------------


def test_a_padded_pdf_header_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    """``%PDF-`` followed by 32 MiB of padding has no startxref/%%EOF at its end: refused as
    corrupt before pypdf is asked to search it."""
    path = tmp_path / "pad.pdf"
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        out.truncate(32 * MiB)
    error = refused(PDF_KIND, path)
    assert ("corrupt", True) == (error.reason, "%%EOF" in error.details["complaint"])
    assert peak_while(lambda: inspect_material(PDF_KIND, path)) < 4 * MiB


JAVASCRIPT = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert(1)")})  # fmt: skip
LAUNCH = DictionaryObject(
    {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
)


def scripted_pdf(action: DictionaryObject | None = None, *, name_tree: bool = False,
                 link: DictionaryObject | None = None) -> bytes:  # fmt: skip
    """A one-page PDF with an open ``action``, a document JavaScript, or a link annotation."""
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(595, 842)
    if action is not None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if name_tree:
        names = ArrayObject([TextStringObject("hello"), writer._add_object(JAVASCRIPT)])
        scripts = DictionaryObject({NameObject("/Names"): names})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})
    if link is not None:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 10, 10)]),
            NameObject("/A"): link,
        })  # fmt: skip
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (scripted_pdf(JAVASCRIPT), ("javascript",)),
        (scripted_pdf(name_tree=True), ("javascript",)),
        (scripted_pdf(link=LAUNCH), ("launch",)),
        (
            scripted_pdf(
                DictionaryObject({NameObject("/S"): NameObject("/GoTo"), NameObject("/Next"): LAUNCH})
            ),
            ("launch",),
        ),
        (pdf_bytes(), ()),
    ],
    ids=["open-action-js", "document-js", "link-launch", "chained-launch", "plain"],
)
def test_active_content_in_a_pdf_is_reported(tmp_path: Path, data: bytes, found: tuple[str, ...]) -> None:
    """JavaScript and Launch actions (open action, document scripts, link annotations, chained
    actions) are accepted by default and reported by inspection_of."""
    material = inspect_material(PDF_KIND, write(tmp_path, "form.pdf", data))
    inspection = inspection_of(material)
    assert inspection is not None
    assert found == inspection.active_content


def test_active_content_can_be_refused(tmp_path: Path) -> None:
    """With refuse_active_content, a PDF carrying JavaScript is refused in both languages."""
    error = refused(
        PDF_KIND, write(tmp_path, "form.pdf", scripted_pdf(JAVASCRIPT)), refuse_active_content=True
    )
    assert ("active_content", ("javascript",)) == (error.reason, error.details["active_content"])
    assert "JavaScript" in error.zh
    assert (
        1
        == inspect_material(
            PDF_KIND, write(tmp_path, "ok.pdf", pdf_bytes()), refuse_active_content=True
        ).pages
    )


def test_a_pdf_with_an_impossible_object_count_is_refused(tmp_path: Path) -> None:
    """An update section whose cross-reference table lists 400,000 objects is refused as too
    complex (pypdf's read budget runs out before the table is loaded), in bounded memory."""
    base = pdf_bytes()
    start = base.rindex(b"startxref")
    offset = len(base)
    table = b"xref\n0 400000\n" + b"0000000009 00000 n \n" * 400_000
    trailer = b"trailer\n<< /Size 400000 /Root 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        int(base[start + 9 :].split()[0]),
        offset,
    )
    path = write(tmp_path, "many.pdf", base + table + trailer)
    error = refused(PDF_KIND, path)
    assert peak_while(lambda: inspect_material(PDF_KIND, path)) < 48 * MiB
    assert ("too_complex", "pdf") == (error.reason, error.details["detected"])


def test_a_pdf_whose_xref_chain_loops_is_read_once(tmp_path: Path) -> None:
    """A /Prev pointing back at its own cross-reference section does not make the reading
    loop: the section is read once and the PDF opens."""
    base = pdf_bytes()
    start = int(base[base.rindex(b"startxref") + 9 :].split()[0])
    looped = base.replace(b"trailer\n<<", b"trailer\n<<\n/Prev %d" % start, 1)
    assert 1 == inspect_material(PDF_KIND, write(tmp_path, "loop.pdf", looped)).pages


def object_stream_pdf(streams: int, decoded: int) -> bytes:
    """The benchmark's object-stream PDF (benchmarks/bench_files.py), padded with ``%``."""
    return bench_files.object_stream_pdf(streams, decoded, b"%")


def test_pages_in_small_object_streams_are_read(tmp_path: Path) -> None:
    """Pages stored in compressed object streams (well within the decoding budget) are found
    and counted."""
    assert 3 == inspect_material(PDF_KIND, write(tmp_path, "objstm.pdf", object_stream_pdf(3, MiB))).pages


def test_object_streams_decoding_to_too_much_in_all_are_too_complex(tmp_path: Path) -> None:
    """Five object streams of a few KiB each inflating to 8 MiB (each within the per-stream
    bound, 40 MiB in all) pass the budget of 32 MiB decoded across all streams: refused as
    too complex, without pypdf holding every stream."""
    path = write(tmp_path, "objstm.pdf", object_stream_pdf(5, 8 * MiB))
    assert path.stat().st_size < 100_000
    error = refused(PDF_KIND, path)
    assert ("too_complex", True) == (error.reason, "decode to more than" in error.details["limit"])
    assert "解码" in error.zh
    assert peak_while(lambda: inspect_material(PDF_KIND, path)) < 48 * MiB


# -- .doc -----------------------------------------------------------------------------------------


def fib(flags: int = 0, ident: int = 0xA5EC) -> bytes:
    return struct.pack("<HHHHHH", ident, 0x00C1, 0, 0x0804, 0, flags).ljust(4096, b"\0")


def test_a_doc_is_found_in_the_directory_not_by_a_byte_search(tmp_path: Path) -> None:
    """A spreadsheet whose data happens to contain 'WordDocument' in UTF-16 is still not a
    Word file: olefile's directory has no WordDocument stream."""
    data = doc_bytes({"Workbook": b"xx" + "WordDocument".encode("utf-16-le") + bytes(600)})
    error = refused(WORD_KIND, write(tmp_path, "sheet.doc", data))
    assert ("format_not_allowed", "ole2") == (error.reason, error.details["detected"])


def test_a_word_97_encrypted_doc_is_refused(tmp_path: Path) -> None:
    """A .doc whose Word header says it is encrypted (fEncrypted) is refused as encrypted."""
    data = doc_bytes({"WordDocument": fib(flags=0x0100), "1Table": bytes(4096)})
    assert "encrypted" == refused(WORD_KIND, write(tmp_path, "secret.doc", data)).reason


def test_a_word_document_stream_without_a_word_header_is_corrupt(tmp_path: Path) -> None:
    """A WordDocument stream that does not start with a Word 97-2003 header is refused."""
    data = doc_bytes({"WordDocument": fib(ident=0x1234), "1Table": bytes(4096)})
    error = refused(WORD_KIND, write(tmp_path, "fake.doc", data))
    assert ("corrupt", True) == (error.reason, "FIB" in error.details["complaint"])


def test_a_header_claiming_more_fat_than_the_file_holds_is_inconsistent(tmp_path: Path) -> None:
    """A compound file header claiming 2**31 FAT sectors is refused before olefile builds a FAT."""
    data = bytearray(doc_bytes())
    struct.pack_into("<I", data, 44, 2**31)
    path = write(tmp_path, "fat.doc", bytes(data))
    error = refused(WORD_KIND, path)
    assert "inconsistent" == error.reason
    assert peak_while(lambda: inspect_material(WORD_KIND, path)) < 4 * MiB


def test_a_directory_chain_looping_on_itself_is_read_a_bounded_number_of_times(tmp_path: Path) -> None:
    """A FAT whose directory sector points back at itself does not make the reading loop:
    olefile reads at most as many sectors as the file has (its directory still names a Word
    stream, so the file is accepted), in bounded memory."""
    data = bytearray(doc_bytes())
    first_dir = struct.unpack_from("<I", data, 48)[0]
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, 512 * (fat_sector + 1) + 4 * first_dir, first_dir)
    path = write(tmp_path, "loop.doc", bytes(data))
    assert "application/msword" == inspect_material(WORD_KIND, path).media_type
    assert peak_while(lambda: inspect_material(WORD_KIND, path)) < 4 * MiB


def test_empty_binary_parts_are_accepted(tmp_path: Path) -> None:
    """Empty parts, stored or deflated, unpack to the 0 bytes their headers declare."""
    stored = with_parts({"word/media/empty.bin": b""}, method=zipfile.ZIP_STORED)
    both = with_parts({"word/media/empty2.bin": b""}, base=stored)
    assert "e.docx" == inspect_material(WORD_KIND, write(tmp_path, "e.docx", both)).filename


def test_a_campaign_refuses_active_content_for_its_pdf_form(tmp_path: Path) -> None:
    """The bundled campaign refuses a PDF application form carrying JavaScript at attach_file
    (its material type says refuse_active_content), and nothing is written."""
    import pilotflow as pf

    from conftest import bundled, nominate, shanghai

    campaign = bundled()
    assert campaign.materials["application_form_pdf"].refuse_active_content
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign),
                         clock=pf.FixedClock(shanghai(2023, 10, 17, 9)))  # fmt: skip
    n = nominate(run, 1, materials=False)
    path = write(tmp_path, "申报书.pdf", scripted_pdf(JAVASCRIPT))
    with pytest.raises(MaterialRejected) as error:
        run.attach_file(pf.Actor("371002", "industry", "c"), n.id, "application_form_pdf", path)
    assert "active_content" == error.value.reason
    assert 1 == run.get(n.id).version
