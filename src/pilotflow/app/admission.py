"""Which materials an action may record: a paper kind as a declared number of copies, an
electronic kind only as a file pilotflow has checked for this campaign."""

from __future__ import annotations

from ..domain.campaign import Campaign
from ..domain.records import Material
from ..errors import InvalidInput
from ..files.materials import inspection_of, is_inspected

__all__ = ["Admission", "declared_paper"]


def declared_paper(m: Material) -> bool:
    """A paper material as it must be declared: its kind and number of copies, nothing else."""
    return (
        m.sha256 is None
        and m.filename is None
        and m.size is None
        and m.media_type is None
        and m.pages is None
        and m.duration is None
    )


class Admission:
    """The material rule of one campaign (one per run: it keeps the shared paper records)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._paper: dict[tuple[str, int], Material] = {}

    def all(self, materials: tuple[object, ...]) -> tuple[Material, ...]:
        """:meth:`one` for each; a checked file or a declared paper kind passes at once."""
        specs = self.campaign.materials
        out: list[Material] = []
        for m in materials:  # a tuple the caller has checked (check_sequence)
            if type(m) is Material:
                spec = specs.get(m.kind)
                if spec is not None:
                    if spec.paper:
                        if declared_paper(m):
                            # One record per (kind, copies): records are immutable, and every
                            # nomination declaring three copies of a form needs none of its own.
                            out.append(self._paper.setdefault((m.kind, m.copies), m))
                            continue
                    elif is_inspected(m, self.campaign):
                        out.append(m)
                        continue
            out.append(self.one(m))  # says what is wrong
        return tuple(out)

    def units_own(self, materials: tuple[object, ...]) -> tuple[Material, ...]:
        """:meth:`all`, refusing a material of the sender's letter (``per: submission``): what
        a unit files with its nomination or re-review application is its own."""
        out = self.all(materials)
        for m in out:
            spec = self.campaign.materials[m.kind]
            if spec.of_submission:
                raise InvalidInput(
                    f"material {m.kind!r} belongs to the recommending authority's letter (per: submission), "
                    "not to a unit's filing",
                    f"“{spec.name.zh}”是推荐单位推荐函的材料，不能随申报提交",
                )
        return out

    def one(self, material: object) -> Material:
        """A material may be attached only as the campaign has it: a paper kind as a
        declared number of copies, an electronic kind only as a file pilotflow has checked
        (``attach_file``, or a record from ``inspect_material``)."""
        if not isinstance(material, Material):
            raise InvalidInput(
                f"materials must be Material objects, got {type(material).__name__}",
                "材料必须是 Material 对象",
            )
        spec = self.campaign.materials.get(material.kind)
        if spec is None:
            raise InvalidInput(
                f"unknown material kind {material.kind!r}; this campaign knows "
                f"{', '.join(self.campaign.materials)}",
                f"未知的材料类型 {material.kind!r}",
            )
        if spec.paper and not declared_paper(material):
            raise InvalidInput(
                f"{material.kind!r} is a paper material: declare its kind and copies only, not a file",
                f"{spec.name.zh}为纸质材料，只需申报份数，不要上传文件",
            )
        if (
            not spec.paper
            and inspection_of(material) is not None
            and not is_inspected(material, self.campaign)
        ):
            raise InvalidInput(
                f"{material.kind!r} was checked against other rules than this campaign's (another "
                "material type or other video bounds): check it with attach_file, or "
                "inspect_campaign_material for this campaign",
                f"{spec.name.zh}的核验标准与本次遴选不一致（材料类型或视频时长要求不同），"
                "请通过 attach_file 按本次遴选的要求重新上传核验",
            )
        if not spec.paper and not is_inspected(material, self.campaign):
            raise InvalidInput(
                f"{material.kind!r} is an electronic file: attach it with attach_file (or a record "
                "from pilotflow.materials.inspect_campaign_material), so that its bytes are checked",
                f"{spec.name.zh}为电子文件，请通过 attach_file 上传并核验，不能仅作声明",
            )
        return material
