"""The one setting of lxml for XML a user sends (the parts of a .docx or .xlsx, a workbook of
winners): no DTD loaded, no entity resolved, nothing fetched from the network, no "huge
tree" (lxml's own limits on depth and text size stay on), comments and processing
instructions dropped. Every reader passes :data:`HARDENED` to its parser. (libxml2's limits of
depth and text guard the tree it builds: a parser given a target of its own builds none, and
its target keeps them, as the bounds of a winners workbook do, ``reports._Counted``.)"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

__all__ = ["HARDENED"]

#: Keyword arguments of ``lxml.etree.XMLParser``, ``XMLPullParser`` and ``iterparse``.
HARDENED: MappingProxyType[str, Any] = MappingProxyType(
    {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }
)
