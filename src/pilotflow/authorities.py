"""The public name of :mod:`pilotflow.domain.authorities` (documented as ``pilotflow.authorities``)."""

from .domain.authorities import (
    DEFAULT_DEPARTMENTS as DEFAULT_DEPARTMENTS,
)
from .domain.authorities import (
    Authority as Authority,
)
from .domain.authorities import (
    AuthorityGraph as AuthorityGraph,
)

__all__ = ["DEFAULT_DEPARTMENTS", "Authority", "AuthorityGraph"]
