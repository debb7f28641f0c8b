"""A checked material belongs to the campaign it was checked for (``is_inspected(m, campaign)``).

``CampaignRun.attach`` counts an electronic material only if ``inspect_material`` judged it
against the run's campaign rules for that kind: the campaign's material type (code and
formats) and, for a video, the campaign's re-review video bounds. All files are generated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.campaign import MaterialType, Text
from pilotflow.materials import (
    Inspection,
    inspect_campaign_material,
    inspect_material,
    inspection_of,
    is_inspected,
)
from pilotflow.samples import docx_bytes, mp4_bytes, pdf_bytes

from conftest import nominate


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_short_video_checked_with_other_bounds_is_refused_by_attach(
    run: pf.CampaignRun, tmp_path: Path
) -> None:
    """A 10 s video inspected as the campaign's video kind with other length bounds is a
    checked file, yet not one judged by this campaign's 300 s ± 60 s: refused. Without
    bounds given, the material type's own (300 s ± 60 s) apply and the file is refused."""
    n = nominate(run, 1, materials=False)
    applicant = pf.Actor.applicant(n.unit_code, "a")
    kind = run.campaign.materials["re_review_video"]
    path = _write(tmp_path, "short.mp4", mp4_bytes(10))
    with pytest.raises(pf.MaterialRejected) as refused:
        inspect_material(kind, path)
    assert "video_duration" == refused.value.reason
    other_bounds = inspect_material(kind, path, video_seconds=10, video_tolerance=5)
    for material in (other_bounds,):
        assert is_inspected(material)
        assert not is_inspected(material, run.campaign)
        with pytest.raises(pf.InvalidInput):
            run.attach(applicant, n.id, material)
    assert 1 == run.get(n.id).version


def test_a_video_checked_against_the_campaign_is_accepted(run: pf.CampaignRun, tmp_path: Path) -> None:
    """The same kind of record made with the campaign's own bounds is attached."""
    n = nominate(run, 1, materials=False)
    path = _write(tmp_path, "video.mp4", mp4_bytes(300))
    material = inspect_campaign_material(run.campaign, "re_review_video", path)
    by_hand = inspect_material(run.campaign.materials["re_review_video"], path, video_seconds=300,
                               video_tolerance=60)  # fmt: skip
    assert (True, True) == (is_inspected(material, run.campaign), is_inspected(by_hand, run.campaign))
    after = run.attach(pf.Actor.applicant(n.unit_code, "a"), n.id, material)
    assert material == after.materials[-1]


def test_a_word_file_checked_as_another_kind_is_refused(run: pf.CampaignRun, tmp_path: Path) -> None:
    """A .docx inspected against a material type with the campaign's code but other formats
    (one the campaign does not define) does not count as the campaign's Word form."""
    n = nominate(run, 1, materials=False)
    applicant = pf.Actor.applicant(n.unit_code, "a")
    loose = MaterialType("application_form_word", Text("anything", "任意"), formats=("docx", "pdf", "mp4"))
    material = inspect_material(loose, _write(tmp_path, "form.docx", docx_bytes()))
    assert (True, False) == (is_inspected(material), is_inspected(material, run.campaign))
    with pytest.raises(pf.InvalidInput):
        run.attach(applicant, n.id, material)
    right = inspect_campaign_material(run.campaign, "application_form_word", tmp_path / "form.docx")
    assert "application_form_word" == run.attach(applicant, n.id, right).materials[-1].kind


def test_a_pdf_checked_with_the_campaign_type_needs_no_video_bounds(
    run: pf.CampaignRun, tmp_path: Path
) -> None:
    """Video bounds concern videos only: a PDF inspected with the campaign's material type
    (no bounds given) is accepted."""
    n = nominate(run, 1, materials=False)
    material = inspect_material(run.campaign.materials["application_form_pdf"],
                                _write(tmp_path, "form.pdf", pdf_bytes()))  # fmt: skip
    after = run.attach(pf.Actor.applicant(n.unit_code, "a"), n.id, material)
    assert "application/pdf" == after.materials[-1].media_type


def test_the_inspection_record_says_what_the_file_was_checked_against(tmp_path: Path) -> None:
    """inspection_of gives the material type and bounds used; a hand-made equal record has none."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    path = _write(tmp_path, "v.mp4", mp4_bytes(300))
    material = inspect_campaign_material(campaign, "re_review_video", path)
    expected = Inspection(campaign.materials["re_review_video"], 300, 60, ())
    copy = pf.Material(
        material.kind, copies=1, filename=material.filename, sha256=material.sha256,
        size=material.size, media_type=material.media_type, duration=material.duration,
    )  # fmt: skip
    assert (expected, None, False) == (inspection_of(material), inspection_of(copy), is_inspected(copy))
