"""The Flask example (``examples/web_flask.py``) driven through Flask's test client: one
action per request, idempotency keys, and pilotflow's errors as JSON in both languages."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pilotflow as pf
from pilotflow.store.sql import SQLStore, configure_sqlite

from conftest import CAMPAIGN_ID, unit_code

pytest.importorskip("flask")

from flask.testing import FlaskClient

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "web_flask.py"
CODE = unit_code(1)
APPLICANT = {"authority": CODE, "department": "applicant", "person": "zhang.wei"}
LEAD = {"authority": "371002", "department": "industry", "person": "lead"}
# Paper materials travel as counts in JSON; an electronic one declared this way is refused
# (it must be an uploaded, checked file).
PAPERS = [
    {"kind": "application_form_paper", "copies": 3},
]


def clerk(department: str) -> dict[str, str]:
    return {"authority": "371002", "department": department, "person": f"{department}-clerk"}


@pytest.fixture(scope="module")
def web_flask() -> ModuleType:
    """The example script, imported as a module (it serves nothing on import)."""
    spec = importlib.util.spec_from_file_location("web_flask", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "web.db"


@pytest.fixture
def client(web_flask: ModuleType, database: Path, clock: pf.FixedClock) -> Iterator[FlaskClient]:
    """A test client of the app on a fresh SQLite file, at 09:00 on 17 October 2023."""
    app = web_flask.create_app(database, clock=clock)
    yield app.test_client()
    app.extensions["pilotflow.engine"].dispose()


@pytest.fixture
def nid(client: FlaskClient) -> str:
    """A nomination filed by its applicant at 环翠区 with the papers the first hop asks for."""
    answer = client.post(
        "/nominations",
        json={"actor": APPLICANT, "unit_code": CODE, "unit_name": "测试单位1", "unit_type": "enterprise",
              "scenario": "smart_nursing_homes", "origin": "371002", "materials": PAPERS},
    )  # fmt: skip
    assert 201 == answer.status_code, answer.get_json()
    return str(answer.get_json()["id"])


def events(database: Path) -> list[str]:
    """The actions in the audit log of the app's database, read directly."""
    import sqlalchemy as sa

    engine = configure_sqlite(sa.create_engine(f"sqlite:///{database}"))
    store = SQLStore(engine, create=False)
    try:
        return [e.action for e in store.events(CAMPAIGN_ID)]
    finally:
        store.close()


def test_stamp_is_one_action_per_request(client: FlaskClient, nid: str, database: Path) -> None:
    """POST .../stamp records one department's stamp on the letter carrying the nomination
    (drafted for it) and answers with the nomination, unchanged, and its letter; GET shows
    what it still lacks."""
    answer = client.post(f"/nominations/{nid}/stamp", json={"actor": clerk("industry")})
    assert 200 == answer.status_code
    body = answer.get_json()
    assert (1, "in_review", "371002") == (body["version"], body["state"], body["holder"])
    assert body["letter"] is not None
    shown = client.get(f"/nominations/{nid}").get_json()
    assert ["civil_affairs", "health"] == shown["missing_stamps"]
    assert body["letter"] == shown["letter"]
    assert ["nominate", "prepare_submission", "stamp_letter"] == events(database)


def test_refused_recommend_answers_with_every_reason(client: FlaskClient, nid: str, database: Path) -> None:
    """A recommendation before the joint stamp (and without the electronic copies, which
    this JSON-only example does not upload) is refused with 422 and every reason as JSON,
    each in English and Chinese; nothing is written."""
    answer = client.post(f"/nominations/{nid}/recommend", json={"actor": LEAD})
    assert 422 == answer.status_code
    body = answer.get_json()
    assert "ActionRefused" == body["error"]
    assert ["stamps_missing", "letter_materials_missing", "materials_missing"] == [
        r["code"] for r in body["reasons"]
    ]
    reason = body["reasons"][0]
    assert ["industry", "civil_affairs", "health"] == reason["details"]["missing"]
    assert "missing industry, civil_affairs, health" in reason["en"]
    assert "联合盖章未完成" in reason["zh"]
    assert reason["zh"] in body["message"]["zh"]
    assert "application/json" == answer.mimetype
    assert ["nominate"] == events(database)


def test_retried_request_returns_the_same_body(client: FlaskClient, nid: str, database: Path) -> None:
    """A request repeated with the same ``Idempotency-Key`` answers with the first result,
    byte for byte, and writes nothing more; the key cannot be reused for another action."""
    headers = {"Idempotency-Key": "stamp-industry-1"}
    request: dict[str, Any] = {"json": {"actor": clerk("industry")}, "headers": headers}
    first = client.post(f"/nominations/{nid}/stamp", **request)
    client.post(f"/nominations/{nid}/stamp", json={"actor": clerk("health")})
    again = client.post(f"/nominations/{nid}/stamp", **request)
    assert (200, 200) == (first.status_code, again.status_code)
    assert first.get_data() == again.get_data()
    assert 1 == again.get_json()["version"]  # the stamps are the letter's
    assert ["nominate", "prepare_submission", "stamp_letter", "stamp_letter"] == events(database)
    other = client.post(f"/nominations/{nid}/stamp", json={"actor": clerk("civil_affairs")}, headers=headers)
    assert (400, "InvalidInput") == (other.status_code, other.get_json()["error"])


def test_unknown_nomination_is_404(client: FlaskClient) -> None:
    """An action on, or a look at, a nomination that does not exist is 404 with a JSON
    message in both languages."""
    answer = client.post("/nominations/no-such-id/stamp", json={"actor": clerk("industry")})
    assert (404, "NominationNotFound") == (answer.status_code, answer.get_json()["error"])
    assert "找不到编号为 'no-such-id' 的申报" == answer.get_json()["message"]["zh"]
    assert 404 == client.get("/nominations/no-such-id").status_code
    assert 404 == client.post("/nominations/no-such-id/fly", json={"actor": LEAD}).status_code


def test_bad_requests_are_400(client: FlaskClient, nid: str) -> None:
    """A department the authority does not have, a missing field or a body that is not a
    JSON object is 400 (``InvalidInput``) and names the problem."""
    wrong = client.post(f"/nominations/{nid}/stamp", json={"actor": clerk("finance")})
    assert (400, "UnknownDepartment") == (wrong.status_code, wrong.get_json()["error"])
    missing = client.post(f"/nominations/{nid}/decline", json={"actor": LEAD})
    assert (400, "the request needs a 'reason' field") == (
        missing.status_code, missing.get_json()["message"]["en"]
    )  # fmt: skip
    garbage = client.post(f"/nominations/{nid}/stamp", data="not json", content_type="text/plain")
    assert 400 == garbage.status_code


def test_database_comes_from_the_environment(
    web_flask: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an explicit path the app's SQLite file is ``$PILOTFLOW_DB``, migrated at start
    (and ``$PILOTFLOW_NOW`` pins the clock)."""
    database = tmp_path / "from-env.db"
    monkeypatch.setenv("PILOTFLOW_DB", str(database))
    monkeypatch.setenv("PILOTFLOW_NOW", "2023-10-17T09:00:00+08:00")
    app = web_flask.create_app()
    try:
        answer = app.test_client().post(
            "/nominations",
            json={"actor": APPLICANT, "unit_code": CODE, "unit_name": "测试单位1", "unit_type": "enterprise",
                  "scenario": "smart_nursing_homes", "origin": "371002"},
        )  # fmt: skip
        assert 201 == answer.status_code
        assert "2023-10-17T09:00:00+08:00" == answer.get_json()["updated_at"]
    finally:
        app.extensions["pilotflow.engine"].dispose()
    assert ["nominate"] == events(database)
