"""The public name of :mod:`pilotflow.files.samples` (documented as ``pilotflow.samples``)."""

from .files.samples import (
    doc_bytes as doc_bytes,
)
from .files.samples import (
    docx_bytes as docx_bytes,
)
from .files.samples import (
    every_material as every_material,
)
from .files.samples import (
    material_for as material_for,
)
from .files.samples import (
    mp4_bytes as mp4_bytes,
)
from .files.samples import (
    pdf_bytes as pdf_bytes,
)
from .files.samples import (
    required_copies as required_copies,
)
from .files.samples import (
    sample_materials as sample_materials,
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
]
