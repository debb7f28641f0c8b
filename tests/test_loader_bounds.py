"""The moments of a list of units are bounded when the list is loaded.

The year of a list's ``since``/``until`` must lie in 1970–2199; outside, a
``CampaignFileError`` names the row and column, so a moment never overflows when it is
compared or moved to UTC.
"""

from __future__ import annotations

import pytest

import pilotflow as pf
from pilotflow.screening import parse_list

UNIT = "91350100M000100Y43"


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01T00:00+14:00", "1969-12-31"])
@pytest.mark.parametrize("column", ["since", "until"])
def test_a_list_moment_outside_the_years_is_refused(column: str, when: str) -> None:
    """A list's ``since`` or ``until`` outside 1970–2199 is refused at its row and column."""
    since, until = ("2023-01-01", when) if column == "until" else (when, "")
    text = f"unit_code,since,until\n{UNIT},{since},{until}\n"
    with pytest.raises(pf.CampaignFileError) as info:
        parse_list(text, "serious_dishonesty", source="list.csv")
    assert f"row 2.{column}" == info.value.path
    assert "must be from 1970 to 2199" in info.value.problem
