"""Materials through the run: electronic copies only as checked files, paper as counts."""

from __future__ import annotations

from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.samples import docx_bytes, mp4_bytes, pdf_bytes

from conftest import nominate, stamp_all


def _state(run: pf.CampaignRun) -> tuple[object, ...]:
    return tuple((n.id, n.version, n.materials) for n in run.nominations()), len(run.events())


def test_attach_file_checks_the_file_and_records_its_facts(run: pf.CampaignRun, tmp_path: Path) -> None:
    """A real PDF attached with attach_file is recorded with its hash, size, type and pages."""
    n = nominate(run, 1, materials=False)
    path = tmp_path / "申报书.pdf"
    path.write_bytes(pdf_bytes(pages=2))
    after = run.attach_file(pf.Actor.applicant(n.unit_code, "a"), n.id, "application_form_pdf", path)
    m = after.materials[-1]
    assert ("application_form_pdf", "申报书.pdf", 2, "application/pdf") == (
        m.kind, m.filename, m.pages, m.media_type,
    )  # fmt: skip
    assert path.stat().st_size == m.size
    assert 64 == len(m.sha256 or "")


@pytest.mark.parametrize(
    ("kind", "name", "data", "reason"),
    [
        ("application_form_pdf", "forged.pdf", docx_bytes(), "extension_mismatch"),
        ("application_form_pdf", "secret.pdf", pdf_bytes(user_password="x"), "encrypted"),
        ("application_form_word", "empty.docx", b"", "empty"),
        ("re_review_video", "short.mp4", mp4_bytes(120), "video_duration"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(
    run: pf.CampaignRun, tmp_path: Path, kind: str, name: str, data: bytes, reason: str
) -> None:
    """A forged extension, an encrypted PDF, an empty file, a video of the wrong length:
    refused with the reason, and the nomination and log are unchanged."""
    n = nominate(run, 1, materials=False)
    (tmp_path / name).write_bytes(data)
    before = _state(run)
    with pytest.raises(pf.MaterialRejected) as info:
        run.attach_file(pf.Actor.applicant(n.unit_code, "a"), n.id, kind, tmp_path / name)
    assert reason == info.value.reason
    assert before == _state(run)


def test_a_path_outside_the_root_is_refused(run: pf.CampaignRun, tmp_path: Path) -> None:
    """With a root, a path escaping it is refused before anything is read."""
    n = nominate(run, 1, materials=False)
    (tmp_path / "a.pdf").write_bytes(pdf_bytes())
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    with pytest.raises(pf.MaterialRejected) as info:
        run.attach_file(pf.Actor.applicant(n.unit_code, "a"), n.id, "application_form_pdf",
                        "../a.pdf", root=uploads)  # fmt: skip
    assert info.value.reason in ("path_traversal", "outside_root")


def test_an_electronic_material_cannot_be_declared(run: pf.CampaignRun) -> None:
    """A Material written by hand for an electronic kind is refused — even with made-up file
    facts — so a hop's electronic requirement cannot be met by a declaration."""
    n = nominate(run, 1, materials=False)
    applicant = pf.Actor.applicant(n.unit_code, "a")
    forged = pf.Material("application_form_pdf", filename="x.pdf", sha256="0" * 64, size=10)
    for material in (pf.Material("application_form_pdf", copies=9), forged):
        with pytest.raises(pf.InvalidInput, match="attach_file"):
            run.attach(applicant, n.id, material)
    assert 1 == run.get(n.id).version


def test_paper_is_declared_in_copies(run: pf.CampaignRun, tmp_path: Path) -> None:
    """attach_paper declares copies of a paper kind; a file for a paper kind is refused; the
    district hop counts the three paper copies of the application form."""
    n = nominate(run, 1, materials=False)
    applicant = pf.Actor.applicant(n.unit_code, "a")
    run.attach_paper(applicant, n.id, "application_form_paper", 2)
    (tmp_path / "f.pdf").write_bytes(pdf_bytes())
    with pytest.raises(pf.MaterialRejected):
        run.attach_file(applicant, n.id, "application_form_paper", tmp_path / "f.pdf")
    clerk = pf.Actor("371002", "industry", "c")
    stamp_all(run, n.id)
    missing = {r.code: r.details for r in run.explain(n.id, "recommend", actor=clerk)}
    assert ("application_form_paper", 3, 2) in missing["materials_missing"]["counts"]
    with pytest.raises(pf.InvalidInput):
        run.attach_paper(applicant, n.id, "application_form_paper", 0)
