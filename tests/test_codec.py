"""The SQL codec's JSON text: the same as the standard library's, with pilotflow's options."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotflow.store._json import compact_dumps
from pilotflow.store.codec import dumps

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_dumps_matches_json_dumps_with_the_same_options(value: Any) -> None:
    """dumps gives exactly json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    sort_keys=True): compact, keys sorted, Chinese text kept as is."""
    assert json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) == dumps(value)


@given(json_values)
def test_the_fallback_without_the_c_encoder_gives_the_same_text(value: Any) -> None:
    """Without CPython's private C encoder (another Python) the standard encoder is used,
    and the text is the same as the C encoder's."""
    assert dumps(value) == compact_dumps(c_encoder=False)(value)


def test_dumps_refuses_what_json_cannot_hold() -> None:
    """A value that is not JSON data raises TypeError naming its type (nothing half-written),
    with the C encoder and without it."""
    for encode in (dumps, compact_dumps(c_encoder=False)):
        with pytest.raises(TypeError, match="object"):
            encode({"x": object()})
