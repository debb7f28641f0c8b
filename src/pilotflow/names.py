"""The states, actions, roles and tracks of a nomination, with their Chinese and English labels
(documented as ``pilotflow.names``; defined in :mod:`pilotflow.domain.names`).

>>> from pilotflow.names import IN_REVIEW, STATE_ZH
>>> IN_REVIEW, STATE_ZH[IN_REVIEW]
('in_review', '审核推荐中')
"""

from .domain.names import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.names import __all__ as __all__
