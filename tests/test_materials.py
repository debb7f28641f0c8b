"""Materials as real files (``pilotflow.materials``).

Pins what :func:`inspect_material` records for a real PDF, Word file and MP4 video, and every
way a file is refused: a forged extension, an empty, encrypted, corrupt or truncated file, a
video of the wrong length or without a picture, a paper-only material, and paths that try to
leave the materials folder (``..``, absolute paths, symbolic links) or are not regular files
(directories, FIFOs, devices). All files are generated here; nothing touches the network.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import olefile
import pypdf
import pytest
from mutagen.mp4 import MP4

import pilotflow as pf
from pilotflow.campaign import MaterialType, Text
from pilotflow.files import materials
from pilotflow.materials import (
    MEDIA_TYPES,
    MaterialRejected,
    MissingDependency,
    inspect_campaign_material,
    inspect_material,
    paper_material,
)
from pilotflow.samples import doc_bytes, docx_bytes, material_for, mp4_bytes, pdf_bytes

PDF_KIND = MaterialType("application_form_pdf", Text("application form (PDF)", "申报书电子版（PDF）"),
                        formats=("pdf",))  # fmt: skip
WORD_KIND = MaterialType("application_form_word", Text("application form (Word)", "申报书电子版（Word）"),
                         formats=("doc", "docx"))  # fmt: skip
VIDEO_KIND = MaterialType("re_review_video", Text("video", "视频资料"), formats=("mp4",))
PAPER_KIND = MaterialType("application_form_paper", Text("application form (paper)", "申报书（纸质版）"),
                          paper=True)  # fmt: skip
ANY_KIND = MaterialType("electronic_copy", Text("electronic copies", "电子版材料"))

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# -- file builders ------------------------------------------------------------------------------


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The ZIP ``data`` with some members' contents replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def zip_bytes(*names: str) -> bytes:
    """A ZIP archive holding small members called ``names``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def ole2_bytes(*stream_names: str) -> bytes:
    """A real compound file (what olefile reads) holding streams called ``stream_names``:
    a ``WordDocument`` stream starts with a Word 97-2003 header, the others are zeros."""
    fib = struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0).ljust(4096, b"\0")
    return doc_bytes({name: fib if name == "WordDocument" else bytes(600) for name in stream_names})


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def refusal(kind: MaterialType, path: str | os.PathLike[str], *, path_base: Path | None = None,
            **kwargs: object) -> MaterialRejected:  # fmt: skip
    """The MaterialRejected that inspecting ``path`` raises (``path_base``: prefix it when no root)."""
    if path_base is not None and kwargs.get("root") is None:
        kwargs.pop("root", None)
        path = path_base / path
    with pytest.raises(MaterialRejected) as info:
        inspect_material(kind, path, **kwargs)  # type: ignore[arg-type]
    return info.value


# -- the builders make real files -----------------------------------------------------------------


@pytest.mark.parametrize("seconds", [300, 120, 0.5, 359.75])
def test_the_mp4_builder_makes_files_mutagen_reads(seconds: float) -> None:
    """The hand-built MP4s are real enough for mutagen (an independent reader, used by the
    tests only), which reads back their duration."""
    parsed = MP4(io.BytesIO(mp4_bytes(seconds)))  # type: ignore[no-untyped-call]
    assert seconds == parsed.info.length  # type: ignore[attr-defined]


def test_the_pdf_docx_and_doc_builders_make_files_their_libraries_read() -> None:
    """The generated PDF opens with pypdf, the .docx with python-docx and the .doc with olefile."""
    assert 3 == len(pypdf.PdfReader(io.BytesIO(pdf_bytes(3))).pages)
    assert "申报书" == docx.Document(io.BytesIO(docx_bytes("申报书"))).paragraphs[0].text
    with olefile.OleFileIO(io.BytesIO(doc_bytes()), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert [["1Table"], ["WordDocument"]] == ole.listdir()


# -- accepted files -------------------------------------------------------------------------------


def test_a_pdf_is_recorded_with_hash_size_type_and_pages(tmp_path: Path) -> None:
    """A real PDF gives one copy with its base name, SHA-256, size, media type and page count."""
    data = pdf_bytes(2)
    path = write(tmp_path, "申报书.pdf", data)
    expected = pf.Material(
        "application_form_pdf",
        copies=1,
        filename="申报书.pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type="application/pdf",
        pages=2,
        duration=None,
    )
    assert expected == inspect_material(PDF_KIND, path)


def test_a_docx_is_recorded_with_its_media_type(tmp_path: Path) -> None:
    """A real .docx is accepted for a Word material; it has no page count or duration."""
    data = docx_bytes()
    material = inspect_material(WORD_KIND, write(tmp_path, "form.docx", data))
    assert ("form.docx", hashlib.sha256(data).hexdigest(), len(data), DOCX_TYPE, None, None) == (
        material.filename, material.sha256, material.size, material.media_type, material.pages,
        material.duration,
    )  # fmt: skip


def test_a_legacy_doc_is_accepted_by_its_ole2_header_and_word_stream(tmp_path: Path) -> None:
    """A Word 97-2003 file (OLE2 with a WordDocument stream) is accepted where ``doc`` is allowed."""
    material = inspect_material(WORD_KIND, write(tmp_path, "form.doc", ole2_bytes("WordDocument", "1Table")))
    assert "application/msword" == material.media_type


def test_a_video_of_about_five_minutes_is_recorded_with_its_duration(tmp_path: Path) -> None:
    """A 300 s MP4 with a video track passes 300 s ± 60 s; the duration is recorded."""
    data = mp4_bytes(300)
    material = inspect_material(VIDEO_KIND, write(tmp_path, "video.mp4", data), video_seconds=300,
                                video_tolerance=60)  # fmt: skip
    assert ("video/mp4", 300.0, None, len(data)) == (
        material.media_type, material.duration, material.pages, material.size,
    )  # fmt: skip


@pytest.mark.parametrize("seconds", [240, 240.0, 299.9, 360])
def test_video_bounds_are_inclusive(tmp_path: Path, seconds: float) -> None:
    """Both ends of video_seconds ± video_tolerance are accepted."""
    material = inspect_material(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(seconds)), video_seconds=300,
                                video_tolerance=60)  # fmt: skip
    assert seconds == material.duration


def test_without_bounds_any_positive_duration_is_accepted(tmp_path: Path) -> None:
    """No video_seconds: a 2-second video is still a real video."""
    assert 2.0 == inspect_material(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(2))).duration


def test_the_extension_is_compared_without_case(tmp_path: Path) -> None:
    """``FORM.PDF`` is a PDF like ``form.pdf``."""
    assert "FORM.PDF" == inspect_material(PDF_KIND, write(tmp_path, "FORM.PDF", pdf_bytes())).filename


def test_a_material_without_formats_takes_any_checked_format(tmp_path: Path) -> None:
    """A material type that names no formats accepts every format pilotflow can check."""
    got = [
        inspect_material(ANY_KIND, write(tmp_path, name, data)).media_type
        for name, data in [("a.pdf", pdf_bytes()), ("b.docx", docx_bytes()), ("c.mp4", mp4_bytes(10))]
    ]
    assert [MEDIA_TYPES["pdf"], MEDIA_TYPES["docx"], MEDIA_TYPES["mp4"]] == got


def test_a_path_like_is_accepted(tmp_path: Path) -> None:
    """Path objects and strings name the same file."""
    path = write(tmp_path, "a.pdf", pdf_bytes())
    assert inspect_material(PDF_KIND, str(path)) == inspect_material(PDF_KIND, path)


# -- refused: type and content --------------------------------------------------------------------


def test_pdf_bytes_named_docx_are_a_forged_extension(tmp_path: Path) -> None:
    """The type comes from the bytes: a PDF called .docx is refused as a forged extension."""
    error = refusal(WORD_KIND, write(tmp_path, "form.docx", pdf_bytes()))
    assert ("extension_mismatch", "pdf", ".docx") == (
        error.reason, error.details["detected"], error.details["extension"],
    )  # fmt: skip


def test_a_docx_named_pdf_is_a_forged_extension(tmp_path: Path) -> None:
    """A Word file renamed to .pdf is refused, in both languages."""
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", docx_bytes()))
    assert "extension_mismatch" == error.reason
    assert "does not match" in error.en
    assert "扩展名与内容不符" in error.zh


def test_a_file_without_extension_is_refused(tmp_path: Path) -> None:
    """A real PDF with no extension at all does not say what it is: refused."""
    assert "extension_mismatch" == refusal(PDF_KIND, write(tmp_path, "form", pdf_bytes())).reason


def test_a_docx_given_as_a_doc_is_refused(tmp_path: Path) -> None:
    """.doc and .docx are different formats: a .docx named .doc does not match its content."""
    assert "extension_mismatch" == refusal(WORD_KIND, write(tmp_path, "form.doc", docx_bytes())).reason


def test_a_real_pdf_is_refused_where_word_is_required(tmp_path: Path) -> None:
    """An honest file of a format the material does not take is refused as not allowed."""
    error = refusal(WORD_KIND, write(tmp_path, "form.pdf", pdf_bytes()))
    assert ("format_not_allowed", ("doc", "docx")) == (error.reason, error.details["allowed"])


@pytest.mark.parametrize(
    ("name", "data", "detected"),
    [
        ("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(100), "png"),
        ("form.doc", b"{\\rtf1\\ansi hello}", "rtf"),
        ("form.doc", b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n", "mht"),
        ("setup.pdf", b"MZ\x90\x00" + bytes(100), "exe"),
        ("slides.docx", zip_bytes("[Content_Types].xml", "ppt/presentation.xml"), "pptx"),
        ("archive.pdf", zip_bytes("readme.txt"), "zip"),
        ("movie.mp4", mp4_bytes(300, brand=b"qt  "), "mov"),
        ("song.mp4", mp4_bytes(300, brand=b"M4A "), "m4a"),
        ("sheet.doc", ole2_bytes("Workbook"), "ole2"),
    ],
)
def test_other_formats_are_named_and_refused(tmp_path: Path, name: str, data: bytes, detected: str) -> None:
    """Formats pilotflow does not take are recognised by their bytes and named in the refusal."""
    kind = VIDEO_KIND if name.endswith(".mp4") else ANY_KIND
    error = refusal(kind, write(tmp_path, name, data))
    assert ("format_not_allowed", detected) == (error.reason, error.details["detected"])


def test_unrecognisable_bytes_are_an_unknown_format(tmp_path: Path) -> None:
    """Plain text called .pdf is not any format pilotflow knows."""
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", "申报书内容".encode()))
    assert ("unknown_format", "unknown") == (error.reason, error.details["detected"])


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    """A zero-byte file is refused as empty, whatever its name."""
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", b""))
    assert "empty" == error.reason
    assert ("the file is empty", "文件为空（0 字节）") == (error.problem_en, error.problem_zh)


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    """A PDF that needs a password to open is refused as encrypted."""
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", pdf_bytes(user_password="secret")))
    assert "encrypted" == error.reason


def test_a_pdf_with_only_an_owner_password_is_refused_too(tmp_path: Path) -> None:
    """A PDF that opens without a password but carries encryption (permissions) is refused."""
    data = pdf_bytes(user_password="", owner_password="owner")
    assert "encrypted" == refusal(PDF_KIND, write(tmp_path, "form.pdf", data)).reason


def test_a_password_protected_office_file_is_refused_as_encrypted(tmp_path: Path) -> None:
    """An encrypted .docx is an OLE2 file with an EncryptedPackage stream: refused as encrypted."""
    data = ole2_bytes("EncryptionInfo", "EncryptedPackage")
    assert "encrypted" == refusal(WORD_KIND, write(tmp_path, "form.docx", data)).reason


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.98])
def test_a_truncated_pdf_is_corrupt(tmp_path: Path, keep: float) -> None:
    """A PDF cut short is refused as corrupt, with pypdf's complaint summarised."""
    data = pdf_bytes(2)
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", data[: int(len(data) * keep)]))
    assert ("corrupt", "pdf") == (error.reason, error.details["detected"])
    assert error.details["complaint"] in error.en


def test_a_pdf_without_pages_is_refused(tmp_path: Path) -> None:
    """A well-formed PDF with zero pages is not a document."""
    assert "no_pages" == refusal(PDF_KIND, write(tmp_path, "form.pdf", pdf_bytes(0))).reason


def test_a_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    """A .docx cut short has no ZIP directory: refused as corrupt."""
    data = docx_bytes()
    error = refusal(WORD_KIND, write(tmp_path, "form.docx", data[: len(data) // 2]))
    assert "corrupt" == error.reason


def test_a_docx_with_broken_xml_is_corrupt(tmp_path: Path) -> None:
    """A .docx whose main document part is not well-formed XML is refused with the parser's complaint."""
    data = rezip(docx_bytes(), {"word/document.xml": b"<w:document"})
    error = refusal(WORD_KIND, write(tmp_path, "form.docx", data))
    assert ("corrupt", "docx") == (error.reason, error.details["detected"])
    assert "XMLSyntaxError" in error.details["complaint"]


def test_a_docx_that_unpacks_past_the_limit_is_refused(tmp_path: Path) -> None:
    """max_bytes also bounds what a .docx unpacks to (a ZIP bomb is not loaded)."""
    out = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(2_000_000))
    bomb = out.getvalue()
    error = refusal(WORD_KIND, write(tmp_path, "form.docx", bomb), max_bytes=len(bomb) + 1000)
    assert "too_large" == error.reason


def test_a_video_that_is_too_short_is_refused(tmp_path: Path) -> None:
    """A 120 s video is outside 300 s ± 60 s: refused with both lengths in the message."""
    path = write(tmp_path, "v.mp4", mp4_bytes(120))
    error = refusal(VIDEO_KIND, path, video_seconds=300, video_tolerance=60)
    assert ("video_duration", 120.0) == (error.reason, error.details["duration"])
    assert "the video lasts 120.0 s; it must last 300 s ± 60 s (240-360 s)" == error.problem_en
    assert "视频时长 120.0 秒，要求 300±60 秒（240～360 秒）" == error.problem_zh


@pytest.mark.parametrize("seconds", [239.9, 360.1, 600])
def test_videos_just_outside_the_bounds_are_refused(tmp_path: Path, seconds: float) -> None:
    """Just under the lower or over the upper bound is refused."""
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(seconds)), video_seconds=300,
                    video_tolerance=60)  # fmt: skip
    assert "video_duration" == error.reason


def test_no_tolerance_means_the_exact_length(tmp_path: Path) -> None:
    """video_seconds without video_tolerance wants exactly that many seconds."""
    path = write(tmp_path, "v.mp4", mp4_bytes(300.5))
    assert "video_duration" == refusal(VIDEO_KIND, path, video_seconds=300).reason
    exact = write(tmp_path, "w.mp4", mp4_bytes(300))
    assert 300.0 == inspect_material(VIDEO_KIND, exact, video_seconds=300).duration


def test_a_sound_only_mp4_is_not_a_video(tmp_path: Path) -> None:
    """An MP4 whose only track is sound is refused: the material is a video."""
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(300, handler=b"soun")))
    assert "not_video" == error.reason


@pytest.mark.parametrize("cut", [40, 120, 200])
def test_an_mp4_cut_inside_its_header_is_corrupt(tmp_path: Path, cut: int) -> None:
    """An MP4 cut inside its movie header has boxes running past the end: refused as corrupt."""
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(300)[:cut]))
    assert ("corrupt", "mp4") == (error.reason, error.details["detected"])


def test_an_mp4_cut_inside_its_media_data_is_truncated(tmp_path: Path) -> None:
    """A file whose media data box runs past the end of the file is refused as truncated."""
    data = mp4_bytes(300)[:-100]
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", data))
    assert "corrupt" == error.reason
    assert "truncated" in error.details["complaint"]


def test_an_mp4_without_media_data_is_corrupt(tmp_path: Path) -> None:
    """A movie header with no media data (an empty mdat) is not a real video."""
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", mp4_bytes(300, mdat=b"")))
    assert ("corrupt", "no media data (mdat)") == (error.reason, error.details["complaint"])


def test_an_mp4_whose_video_timescale_is_zero_is_corrupt(tmp_path: Path) -> None:
    """A video track whose media header (mdhd) has a zero timescale cannot be timed: corrupt."""
    data = mp4_bytes(300)
    mdhd = data.index(b"mdhd")
    data = data[: mdhd + 16] + bytes(4) + data[mdhd + 20 :]  # version/flags, two times, timescale
    error = refusal(VIDEO_KIND, write(tmp_path, "v.mp4", data))
    assert ("corrupt", "the video track's timescale is 0") == (error.reason, error.details["complaint"])


def test_a_file_larger_than_max_bytes_is_refused_unread(tmp_path: Path) -> None:
    """A file over max_bytes is refused before any content is read."""
    data = pdf_bytes()
    error = refusal(PDF_KIND, write(tmp_path, "form.pdf", data), max_bytes=len(data) - 1)
    assert ("too_large", len(data)) == (error.reason, error.details["size"])
    assert len(data) == inspect_material(PDF_KIND, tmp_path / "form.pdf", max_bytes=len(data)).size


def test_a_file_changed_during_inspection_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If fewer bytes are read than the size seen on opening, the file changed: refused."""
    monkeypatch.setattr(materials, "_digest", lambda stream: ("0" * 64, 1))
    assert "changed" == refusal(PDF_KIND, write(tmp_path, "form.pdf", pdf_bytes())).reason


# -- paper ----------------------------------------------------------------------------------------


def test_a_file_for_a_paper_only_material_is_refused(tmp_path: Path) -> None:
    """A paper material is handed in on paper: a file for it is refused without being read."""
    error = refusal(PAPER_KIND, tmp_path / "does-not-matter.pdf")
    assert "paper_only" == error.reason
    assert "纸质件" in error.zh


def test_paper_material_records_the_copies() -> None:
    """paper_material gives a Material with the count and no file facts."""
    assert pf.Material("application_form_paper", copies=3) == paper_material(PAPER_KIND, 3)


@pytest.mark.parametrize("copies", [0, -1, True, 2.0, "3"])
def test_paper_copies_must_be_a_whole_number_of_at_least_one(copies: object) -> None:
    """Zero, negative, boolean, float or text counts are refused."""
    with pytest.raises(MaterialRejected) as info:
        paper_material(PAPER_KIND, copies)  # type: ignore[arg-type]
    assert ("copies", None) == (info.value.reason, info.value.path)


def test_a_refused_count_of_copies_shows_no_material_code_in_chinese() -> None:
    """Pins the Chinese of a refused count of paper copies: a Material record (which knows no
    campaign) says what is wrong without its kind's code; a sample of a campaign's paper kind
    names the material as the campaign does (申报书（纸质版）), not application_form_paper."""
    with pytest.raises(pf.InvalidInput) as info:
        pf.Material("application_form_paper", copies=0)
    assert "纸质材料的份数必须是 1 到 1000 之间的整数，收到 0" == info.value.zh
    assert "application_form_paper" in info.value.en
    with pytest.raises(MaterialRejected) as rejected:
        material_for(pf.load_campaign("smart-health-elderly-care-2023"), "application_form_paper", 0)
    assert rejected.value.zh.startswith("申报书（纸质版）：份数必须是"), rejected.value.zh
    assert "application_form_paper" not in rejected.value.zh


def test_paper_material_refuses_an_electronic_kind() -> None:
    """A PDF material is a file, not a paper count."""
    with pytest.raises(MaterialRejected) as info:
        paper_material(PDF_KIND, 1)
    assert "not_paper" == info.value.reason


# -- paths ----------------------------------------------------------------------------------------


def test_a_relative_path_is_taken_inside_the_root(tmp_path: Path) -> None:
    """With a root, a relative path names a file under the root (not the working directory)."""
    write(tmp_path, "unit-1/form.pdf", pdf_bytes())
    assert "form.pdf" == inspect_material(PDF_KIND, "unit-1/form.pdf", root=tmp_path).filename


def test_an_absolute_path_inside_the_root_is_accepted(tmp_path: Path) -> None:
    """An absolute path that lies inside the root is fine."""
    path = write(tmp_path, "unit-1/form.pdf", pdf_bytes())
    assert 1 == inspect_material(PDF_KIND, path, root=tmp_path).pages


def test_dot_dot_is_refused_under_a_root(tmp_path: Path) -> None:
    """A ``..`` component is refused even before it is resolved."""
    write(tmp_path, "secret.pdf", pdf_bytes())
    (tmp_path / "uploads").mkdir()
    error = refusal(PDF_KIND, "../secret.pdf", root=tmp_path / "uploads")
    assert ("path_traversal", "../secret.pdf") == (error.reason, error.path)


def test_an_absolute_path_elsewhere_is_refused(tmp_path: Path) -> None:
    """An absolute path outside the root is refused without being opened."""
    outside = write(tmp_path, "secret.pdf", pdf_bytes())
    (tmp_path / "uploads").mkdir()
    assert "outside_root" == refusal(PDF_KIND, outside, root=tmp_path / "uploads").reason


def test_a_symlink_escaping_the_root_is_refused(tmp_path: Path) -> None:
    """A link inside the root that points outside it is refused."""
    outside = write(tmp_path, "secret.pdf", pdf_bytes())
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "form.pdf").symlink_to(outside)
    assert "outside_root" == refusal(PDF_KIND, "form.pdf", root=tmp_path / "uploads").reason


def test_a_symlinked_directory_escaping_the_root_is_refused(tmp_path: Path) -> None:
    """A link to a directory outside the root does not carry the path out either."""
    write(tmp_path, "elsewhere/form.pdf", pdf_bytes())
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "unit").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert "outside_root" == refusal(PDF_KIND, "unit/form.pdf", root=tmp_path / "uploads").reason


def test_a_symlink_staying_inside_the_root_is_followed(tmp_path: Path) -> None:
    """A link inside the root to a file inside the root is read; the link's name is recorded."""
    write(tmp_path, "uploads/a/form.pdf", pdf_bytes())
    (tmp_path / "uploads" / "latest.pdf").symlink_to(tmp_path / "uploads" / "a" / "form.pdf")
    assert "latest.pdf" == inspect_material(PDF_KIND, "latest.pdf", root=tmp_path / "uploads").filename


@pytest.mark.parametrize("name", ["unit/form.pdf", "link.pdf"])
def test_a_link_swapped_in_after_the_check_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The file is opened one component at a time without following links, so a link that
    appears after the path was resolved (simulated: resolution sees no links) is refused."""
    root = tmp_path.resolve() / "uploads"
    write(root, "real/form.pdf", pdf_bytes())
    (root / "unit").symlink_to(root / "real", target_is_directory=True)
    (root / "link.pdf").symlink_to(root / "real" / "form.pdf")
    monkeypatch.setattr(materials._open.os.path, "realpath", lambda p: os.path.normpath(os.path.abspath(p)))
    assert "symlink" == refusal(PDF_KIND, name, root=root).reason


def test_without_a_root_a_symlink_is_refused(tmp_path: Path) -> None:
    """With no root to check its target against, a link is not followed."""
    target = write(tmp_path, "form.pdf", pdf_bytes())
    (tmp_path / "link.pdf").symlink_to(target)
    assert "symlink" == refusal(PDF_KIND, tmp_path / "link.pdf").reason


@pytest.mark.parametrize("use_root", [False, True])
def test_a_directory_is_refused(tmp_path: Path, use_root: bool) -> None:
    """A directory named like a file is not a regular file."""
    (tmp_path / "form.pdf").mkdir()
    error = refusal(PDF_KIND, "form.pdf", root=tmp_path if use_root else None, path_base=tmp_path)
    assert ("not_regular_file", "this is a directory, not a regular file") == (error.reason, error.problem_en)


def test_the_root_itself_is_refused(tmp_path: Path) -> None:
    """Naming the root (an empty path or ``.``) names a directory."""
    assert "not_regular_file" == refusal(PDF_KIND, ".", root=tmp_path).reason
    assert "not_regular_file" == refusal(PDF_KIND, "", root=tmp_path).reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("use_root", [False, True])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, use_root: bool) -> None:
    """A named pipe is refused (and opening it does not wait for a writer)."""
    os.mkfifo(tmp_path / "form.pdf")
    error = refusal(PDF_KIND, "form.pdf", root=tmp_path if use_root else None, path_base=tmp_path)
    assert ("not_regular_file", "this is a FIFO (named pipe), not a regular file") == (
        error.reason, error.problem_en,
    )  # fmt: skip


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_is_refused() -> None:
    """A device file is not a material."""
    error = refusal(PDF_KIND, "/dev/null")
    assert ("not_regular_file", "this is a device, not a regular file") == (error.reason, error.problem_en)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    """A path that names nothing is refused as not found, with and without a root."""
    assert "not_found" == refusal(PDF_KIND, tmp_path / "nope.pdf").reason
    assert "not_found" == refusal(PDF_KIND, "nope.pdf", root=tmp_path).reason
    write(tmp_path, "form.pdf", pdf_bytes())
    assert "not_found" == refusal(PDF_KIND, "form.pdf/inner.pdf", root=tmp_path).reason


# -- arguments, errors, dependencies --------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"video_tolerance": 60},
        {"video_seconds": 0},
        {"video_seconds": 300, "video_tolerance": -1},
        {"video_seconds": True},
        {"max_bytes": 0},
        {"root": "/definitely/not/a/directory"},
    ],
)
def test_bad_arguments_are_invalid_input(tmp_path: Path, kwargs: dict[str, object]) -> None:
    """Arguments that make no sense are InvalidInput, not a refusal of the file."""
    path = write(tmp_path, "v.mp4", mp4_bytes(300))
    with pytest.raises(pf.InvalidInput) as info:
        inspect_material(VIDEO_KIND, path, **kwargs)  # type: ignore[arg-type]
    assert not isinstance(info.value, MaterialRejected)


@pytest.mark.parametrize("bad", [b"form.pdf", 42, "form\x00.pdf"])
def test_a_path_must_be_text(bad: object) -> None:
    """Bytes, numbers or a NUL in the path are InvalidInput."""
    with pytest.raises(pf.InvalidInput):
        inspect_material(PDF_KIND, bad)  # type: ignore[arg-type]


def test_the_kind_must_be_a_material_type(tmp_path: Path) -> None:
    """The kind is a MaterialType from the campaign, not its code."""
    with pytest.raises(pf.InvalidInput):
        inspect_material("application_form_pdf", write(tmp_path, "a.pdf", pdf_bytes()))  # type: ignore[arg-type]


def test_a_refusal_is_invalid_input_with_two_languages_and_a_guard_reason(tmp_path: Path) -> None:
    """MaterialRejected is an InvalidInput (a ValueError), names the path, and converts to a Reason."""
    path = write(tmp_path, "form.pdf", b"")
    error = refusal(PDF_KIND, path)
    reason = error.as_reason()
    assert (True, True) == (isinstance(error, pf.InvalidInput), isinstance(error, ValueError))
    assert (f"{path}: the file is empty", f"{path}：文件为空（0 字节）") == (error.en, error.zh)
    assert ("material_empty", str(path)) == (reason.code, reason.details["path"])


def test_a_missing_parser_gives_an_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pypdf installed, checking a PDF says what to install."""
    path = write(tmp_path, "a.pdf", pdf_bytes())
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(MissingDependency) as info:
        inspect_material(PDF_KIND, path)
    assert ("pypdf", True, True) == (
        info.value.package, isinstance(info.value, ImportError), "pip install" in info.value.en,
    )  # fmt: skip


def test_importing_pilotflow_does_not_load_the_parsers() -> None:
    """pypdf, lxml and olefile are imported only when a file of their type is inspected."""
    code = (
        "import sys, pilotflow, pilotflow.materials; "
        "print(sorted({'pypdf', 'docx', 'lxml', 'olefile', 'mutagen'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == out.stdout.strip()


# -- with the bundled campaign --------------------------------------------------------------------


def test_the_2023_campaign_wants_a_video_of_about_five_minutes(tmp_path: Path) -> None:
    """inspect_campaign_material uses the campaign's 300 s ± 60 s for the re-review video."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    ok = inspect_campaign_material(campaign, "re_review_video", "ok.mp4", root=write(tmp_path, "ok.mp4",
                                   mp4_bytes(300)).parent)  # fmt: skip
    short = write(tmp_path, "short.mp4", mp4_bytes(120))
    with pytest.raises(MaterialRejected) as info:
        inspect_campaign_material(campaign, "re_review_video", short)
    assert (300.0, "video_duration") == (ok.duration, info.value.reason)


def test_the_2023_campaign_materials_take_their_formats(tmp_path: Path) -> None:
    """The Word copy takes a .docx, the PDF copy a PDF, the paper form no file at all."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    word_file, pdf_file = write(tmp_path, "f.docx", docx_bytes()), write(tmp_path, "f.pdf", pdf_bytes())
    word = inspect_campaign_material(campaign, "application_form_word", word_file)
    pdf = inspect_campaign_material(campaign, "application_form_pdf", pdf_file)
    with pytest.raises(MaterialRejected) as info:
        inspect_campaign_material(campaign, "application_form_paper", tmp_path / "f.pdf")
    assert (DOCX_TYPE, "application/pdf") == (word.media_type, pdf.media_type)
    assert "paper_only" == info.value.reason


def test_an_unknown_campaign_material_is_invalid_input(tmp_path: Path) -> None:
    """A material code the campaign does not define is InvalidInput; its Chinese echoes the
    code given and lists the campaign's materials by name, each code in parentheses after it
    (申报书（纸质版）（application_form_paper）), never a bare code."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    with pytest.raises(pf.InvalidInput) as info:
        inspect_campaign_material(campaign, "photo", tmp_path / "x.pdf")
    named = "、".join(f"{m.name.zh}（{m.code}）" for m in campaign.materials.values())
    assert f"未知的材料类型 'photo'；本次遴选的材料类型有：{named}" == info.value.zh


@pytest.mark.parametrize("campaign", [None, "smart-health-elderly-care-2023", 5])
def test_inspect_campaign_material_of_no_campaign_is_refused(campaign: object) -> None:
    """``inspect_campaign_material`` given something that is no Campaign is InvalidInput naming
    ``campaign``, not an AttributeError."""
    with pytest.raises(pf.InvalidInput, match="campaign"):
        inspect_campaign_material(campaign, "application_form_pdf", "/nonexistent.pdf")  # type: ignore[arg-type]
