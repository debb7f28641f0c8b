"""The public name of :mod:`pilotflow.files.materials` (documented as ``pilotflow.materials``)."""

from .files.materials import (
    CHECKED_FORMATS as CHECKED_FORMATS,
)
from .files.materials import (
    DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES,
)
from .files.materials import (
    MEDIA_TYPES as MEDIA_TYPES,
)
from .files.materials import (
    Inspection as Inspection,
)
from .files.materials import (
    MaterialRejected as MaterialRejected,
)
from .files.materials import (
    MissingDependency as MissingDependency,
)
from .files.materials import (
    inspect_campaign_material as inspect_campaign_material,
)
from .files.materials import (
    inspect_material as inspect_material,
)
from .files.materials import (
    inspection_of as inspection_of,
)
from .files.materials import (
    is_inspected as is_inspected,
)
from .files.materials import (
    paper_material as paper_material,
)

__all__ = [
    "CHECKED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "MEDIA_TYPES",
    "Inspection",
    "MaterialRejected",
    "MissingDependency",
    "inspect_campaign_material",
    "inspect_material",
    "inspection_of",
    "is_inspected",
    "paper_material",
]
