"""The public name of :mod:`pilotflow.domain.codes` (documented as ``pilotflow.codes``)."""

from .domain.codes import (
    check_code as check_code,
)
from .domain.codes import (
    code_problem as code_problem,
)
from .domain.codes import (
    make_code as make_code,
)
from .domain.codes import (
    validate_unit_code as validate_unit_code,
)

__all__ = ["check_code", "code_problem", "make_code", "validate_unit_code"]
