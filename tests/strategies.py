"""Hypothesis strategies, all in one place."""

from __future__ import annotations

from hypothesis import strategies as st

# Origins whose routes exercise different quota classes: Weihai districts (3/3/1/2 at Weihai),
# Dongying districts (1/1/1/1 at Dongying), a Qingdao district (2/4/2/2, straight to the
# ministry), a Beijing district (municipality, 3/8/3/3).
ORIGINS = ("371002", "371003", "370502", "370503", "370211", "110101")
# Authorities whose clerks act in the random runs (holders along those routes, and one
# bystander that never holds anything).
AUTHORITIES = ("371002", "371003", "371000", "370502", "370503", "370500", "370000",
               "370211", "370200", "110101", "110000", "MIN", "320000")  # fmt: skip
DEPARTMENTS = ("industry", "civil_affairs", "health")
UNIT_TYPES = ("enterprise", "park")
# Actions on a unit. "advance" = the holder attaches its letter's materials, every stamping
# department stamps (the per-unit calls, each on the one-unit letter made for the unit) and
# it recommends: one step of each, each judged on its own, so that random runs climb the
# routes often. "attach_letter": the holder attaches its letter's materials through the unit.
UNIT_ACTIONS = ("nominate", "nominate", "stamp", "recommend", "advance", "advance", "advance",
                "select", "withdraw", "return", "decline", "attach", "attach_letter")  # fmt: skip
# Actions on a submission (推荐函): "prepare" lists the unit and the next one (where it holds
# them) in a new draft; the others act on one of the run's letters (picked by the unit number).
# "ready" = the letter's materials attached, every stamping department's stamp, then send.
LETTER_ACTIONS = ("prepare", "prepare", "add", "remove", "order", "attach_to_letter", "stamp_letter",
                  "send", "recall", "return_letter", "discard", "ready", "ready")  # fmt: skip
ACTIONS = UNIT_ACTIONS + LETTER_ACTIONS

step = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(min_value=0, max_value=7),  # which unit (or letter)
    # Mostly the authority holding the nomination or letter ("@holder"), sometimes anyone else.
    st.one_of(st.just("@holder"), st.just("@holder"), st.just("@holder"), st.sampled_from(AUTHORITIES)),
    st.sampled_from(DEPARTMENTS),
    st.booleans(),  # act as the applicant instead (where that makes sense)
    # Minutes the clock moves first: mostly small steps, sometimes past a deadline.
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=20)).map(
        lambda t: t[1] if t[0] else t[1] * 144
    ),
)
steps = st.lists(step, min_size=20, max_size=100)
