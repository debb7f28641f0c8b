"""Errors pickled and unpickled (a worker process handing one to its parent) come back whole."""

from __future__ import annotations

import inspect
import pickle

import pilotflow.errors as errors_module
from pilotflow.errors import ActionRefused, NominationNotFound, PilotflowError, QuotaExceeded, Reason


def test_every_error_class_survives_pickling_whole() -> None:
    """Every PilotflowError class pickles and unpickles to an equal error: the same class,
    message, English, Chinese and attributes. Exception's own pickling called the class with
    the message, which failed (ActionRefused) or garbled it (NominationNotFound)."""
    refused = ActionRefused("recommend", "n-1", [Reason("deadline_passed", "too late", "已逾期")],
                            action_zh="推荐", record_zh="申报")  # fmt: skip
    samples: list[PilotflowError] = [
        refused,
        QuotaExceeded("recommend", "n-2", [Reason("quota_full", "full", "名额已满")]),
        NominationNotFound("n-3"),
        PilotflowError("plain", "普通"),
    ]
    for error in samples:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert (str(back), back.args, back.en, back.zh) == (str(error), error.args, error.en, error.zh)
        assert back.__dict__ == error.__dict__
    assert refused.reasons == pickle.loads(pickle.dumps(refused)).reasons
    classes = [
        c for _, c in inspect.getmembers(errors_module, inspect.isclass) if issubclass(c, PilotflowError)
    ]
    assert all(c.__reduce__ is PilotflowError.__reduce__ for c in classes)  # none overrides it
