"""The public name of :mod:`pilotflow.domain.inputs` (documented as ``pilotflow.inputs``)."""

from .domain.inputs import (
    BIDI_AND_SEPARATORS as BIDI_AND_SEPARATORS,
)
from .domain.inputs import (
    KEY as KEY,
)
from .domain.inputs import (
    LONG_TEXT as LONG_TEXT,
)
from .domain.inputs import (
    NAME as NAME,
)
from .domain.inputs import (
    SHORT as SHORT,
)
from .domain.inputs import (
    check_ids as check_ids,
)
from .domain.inputs import (
    check_sequence as check_sequence,
)
from .domain.inputs import (
    check_text as check_text,
)

__all__ = [
    "BIDI_AND_SEPARATORS",
    "KEY",
    "LONG_TEXT",
    "NAME",
    "SHORT",
    "check_ids",
    "check_sequence",
    "check_text",
]
