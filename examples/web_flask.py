"""A small Flask backend: one pilotflow action per request, inside the request's transaction.

The host (this app) owns the SQLAlchemy engine. Each request opens a connection, begins a
transaction and hands the connection to ``SQLStore``: pilotflow's writes join that
transaction (in a SAVEPOINT), so they commit with the request or vanish with its rollback.
The tables are made once, at start-up, by pilotflow's migrations.

    pip install 'pilotflow[web]'
    python examples/web_flask.py             # a short demo through Flask's test client
    python examples/web_flask.py serve       # serve on http://127.0.0.1:5000
    PILOTFLOW_DB=/srv/pilotflow.db PILOTFLOW_NOW=2023-10-17T09:00+08:00 \\
        flask --app examples/web_flask.py run

``PILOTFLOW_DB`` names the SQLite file (default ``pilotflow.db`` in the working folder);
``PILOTFLOW_NOW`` pins the clock (the bundled campaign ran in October 2023: with today's date
every action is past its deadline). The API:

    POST /nominations                         file a nomination (201)
    GET  /nominations/<id>                    the nomination and what it still lacks
    POST /nominations/<id>/<action>           stamp, recommend, attach, return, decline, withdraw

A POST body is JSON with the ``actor`` ({"authority", "department", "person"}: a real app
takes it from the login session) and the action's fields (``reason``, ``material``). An
``Idempotency-Key`` header makes a retried request safe: the repeat answers with the first
result and writes nothing. Errors are JSON with the message in English and Chinese, and for a
refusal every reason: 400 bad input, 404 no such nomination, 409 a conflict or a duplicate,
422 refused by the campaign's rules.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store import migrate
from pilotflow.store.sql import SQLStore, configure_sqlite

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

T = TypeVar("T")
CAMPAIGN = "smart-health-elderly-care-2023"
INSTALL_HINT = "this example needs Flask: pip install 'pilotflow[web]'"

# The HTTP status for each pilotflow error (the first match wins: subclasses first).
STATUS: tuple[tuple[type[pf.PilotflowError], int], ...] = (
    (pf.NominationNotFound, 404),
    (pf.InvalidInput, 400),
    (pf.ActionRefused, 422),  # QuotaExceeded too
    (pf.DuplicateNomination, 409),
    (pf.ConflictError, 409),  # still conflicting after retry_on_conflict: try again later
    (pf.StoreError, 503),
)


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (tuples as lists, moments as ISO 8601 text)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def error_body(exc: pf.PilotflowError) -> tuple[dict[str, Any], int]:
    """The JSON body and HTTP status of a pilotflow error."""
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
    body: dict[str, Any] = {"error": type(exc).__name__, "message": {"en": exc.en, "zh": exc.zh}}
    if isinstance(exc, pf.ActionRefused):
        body["reasons"] = [
            {"code": r.code, "en": r.en, "zh": r.zh, "details": plain(r.details)} for r in exc.reasons
        ]
    return body, status


def nomination_body(n: pf.Nomination, run: pf.CampaignRun | None = None) -> dict[str, Any]:
    """The nomination as JSON; with ``run``, the id of the recommendation letter (推荐函)
    carrying it now, which its stamps go to."""
    letter = run.carrying(n.id) if run is not None else None
    return {
        "id": n.id,
        "unit_code": n.unit_code,
        "unit_name": n.unit_name,
        "unit_type": n.unit_type,
        "state": n.state,
        "holder": n.holder,
        "next_authority": n.next_authority,
        "letter": None if letter is None else letter.id,
        "materials": [{"kind": m.kind, "copies": m.copies} for m in n.materials],
        "version": n.version,
        "updated_at": n.updated_at.isoformat(),
    }


def need(body: Mapping[str, Any], name: str) -> Any:
    """A field the request must carry (else 400, in both languages)."""
    if name not in body:
        raise pf.InvalidInput(f"the request needs a {name!r} field", f"请求缺少字段 {name!r}")
    return body[name]


def actor_of(body: Mapping[str, Any]) -> pf.Actor:
    given = need(body, "actor")
    if not isinstance(given, Mapping):
        raise pf.InvalidInput("actor must be an object", "actor 字段必须是对象")
    return pf.Actor(str(need(given, "authority")), str(need(given, "department")), str(need(given, "person")))


def material_of(given: Any) -> pf.Material:
    if not isinstance(given, Mapping):
        raise pf.InvalidInput("a material must be an object", "材料字段必须是对象")
    return pf.Material(str(need(given, "kind")), copies=given.get("copies", 1))


# Each action: what to call on the run, given the actor, the nomination id, the JSON body and
# the idempotency key.
Perform = Callable[[pf.CampaignRun, pf.Actor, str, Mapping[str, Any], str | None], pf.Nomination]
ACTIONS: dict[str, Perform] = {
    "stamp": lambda run, actor, nid, body, key: run.stamp(actor, nid, idempotency_key=key),
    "recommend": lambda run, actor, nid, body, key: run.recommend(
        actor, nid, reason=body.get("reason"), idempotency_key=key
    ),
    "attach": lambda run, actor, nid, body, key: run.attach(
        actor, nid, material_of(need(body, "material")), idempotency_key=key
    ),
    "return": lambda run, actor, nid, body, key: run.return_for_revision(
        actor, nid, reason=need(body, "reason"), idempotency_key=key
    ),
    "decline": lambda run, actor, nid, body, key: run.decline(
        actor, nid, reason=need(body, "reason"), idempotency_key=key
    ),
    "withdraw": lambda run, actor, nid, body, key: run.withdraw(
        actor, nid, reason=body.get("reason"), idempotency_key=key
    ),
}


def create_app(database: str | os.PathLike[str] | None = None, *, clock: pf.Clock | None = None) -> Flask:
    """The Flask app on a SQLite file (``database``, else ``$PILOTFLOW_DB``, else
    ``pilotflow.db``). ``clock`` (else ``$PILOTFLOW_NOW``, else the system clock) dates
    the actions."""
    try:
        from flask import Flask, request
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc

    path = Path(database or os.environ.get("PILOTFLOW_DB") or "pilotflow.db").resolve()
    if clock is None and os.environ.get("PILOTFLOW_NOW"):
        clock = pf.FixedClock(datetime.fromisoformat(os.environ["PILOTFLOW_NOW"]))
    campaign = pf.load_campaign(CAMPAIGN)
    lists = pf.empty_lists(campaign)  # a real deployment loads the published lists
    # The host owns the engine; pilotflow needs SQLite's transactions made real first.
    engine = configure_sqlite(sa.create_engine(f"sqlite:///{path}"))
    migrate.upgrade(engine)  # creates or migrates pilotflow's tables (a no-op when current)

    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["pilotflow.engine"] = engine

    def in_transaction(action: Callable[[pf.CampaignRun], T]) -> T:
        """One request's work: a connection, a transaction, a run on it; retried whole
        when a concurrent request changed the nomination first."""

        def attempt() -> T:
            with engine.connect() as conn, conn.begin():  # commits, or rolls back on error
                store = SQLStore(conn, create=False)
                run = pf.CampaignRun(campaign, store=store, lists=lists, clock=clock)
                return action(run)

        return pf.retry_on_conflict(attempt)

    def body() -> Mapping[str, Any]:
        given = request.get_json(silent=True)
        if not isinstance(given, Mapping):
            raise pf.InvalidInput("the request body must be a JSON object", "请求体必须是 JSON 对象")
        return given

    @app.errorhandler(pf.PilotflowError)
    def pilotflow_error(exc: pf.PilotflowError) -> tuple[dict[str, Any], int]:
        return error_body(exc)

    @app.post("/nominations")
    def nominate() -> tuple[dict[str, Any], int]:
        b = body()
        n = in_transaction(
            lambda run: run.nominate(
                actor_of(b),
                unit_code=need(b, "unit_code"),
                unit_name=need(b, "unit_name"),
                unit_type=need(b, "unit_type"),
                scenario=need(b, "scenario"),
                origin=need(b, "origin"),
                materials=[material_of(m) for m in b.get("materials", ())],
                idempotency_key=request.headers.get("Idempotency-Key"),
            )
        )
        return nomination_body(n), 201

    @app.get("/nominations/<nid>")
    def show(nid: str) -> dict[str, Any]:
        def read(run: pf.CampaignRun) -> dict[str, Any]:
            p = run.position(nid)
            return {
                **nomination_body(run.get(nid), run),
                "deadline": None if p.deadline is None else p.deadline.isoformat(),
                "missing_stamps": list(p.missing_stamps),
                "missing_materials": list(p.missing_materials),
            }

        return in_transaction(read)

    @app.post("/nominations/<nid>/<action>")
    def act(nid: str, action: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
        perform = ACTIONS.get(action)
        if perform is None:
            message = {"en": f"no action {action!r}", "zh": f"没有操作 {action!r}"}
            return {"error": "NotFound", "message": message}, 404
        b = body()
        key = request.headers.get("Idempotency-Key")
        return in_transaction(lambda run: nomination_body(perform(run, actor_of(b), nid, b, key), run))

    return app


def demo(app: Flask) -> None:
    """Drive the app as a browser would, printing each request and answer."""
    client = app.test_client()

    def call(method: str, url: str, key: str | None = None, **json: Any) -> TestResponse:
        headers = {"Idempotency-Key": key} if key else {}
        answer = client.open(url, method=method, json=json or None, headers=headers)
        data = answer.get_json()
        shown = {k: data[k] for k in ("error", "state", "holder", "version") if k in data}
        print(f"{method} {url.replace(nid, '<id>') if nid else url}{' [' + key + ']' if key else ''}"
              f" -> {answer.status_code} {shown}")  # fmt: skip
        for reason in data.get("reasons", ()):
            print(f"    [{reason['code']}] {reason['en']} / {reason['zh']}")
        return answer

    from pilotflow.codes import make_code

    code = make_code("91371002", "MA7Q2K9X1")
    nid = ""
    applicant = {"authority": code, "department": "applicant", "person": "zhang.wei"}
    # Paper materials travel as declared counts; electronic copies would be uploaded files
    # (run.attach_file), which this small example leaves out.
    papers = (("application_form_paper", 3),)
    filed = call("POST", "/nominations", actor=applicant, unit_code=code,
                 unit_name="威海某康养科技有限公司", unit_type="enterprise", scenario="community_day_care",
                 origin="371002", materials=[{"kind": k, "copies": c} for k, c in papers])  # fmt: skip
    nid = filed.get_json()["id"]
    lead = {"authority": "371002", "department": "industry", "person": "lead"}
    call("POST", f"/nominations/{nid}/recommend", actor=lead)  # refused: nobody has stamped
    # The district's letter (推荐函) carries its own material; the departments stamp the letter.
    call("POST", f"/nominations/{nid}/attach", actor=lead, material={"kind": "joint_recommendation_letter"})
    for department in ("industry", "civil_affairs", "health"):
        clerk = {"authority": "371002", "department": department, "person": f"{department}-clerk"}
        first = call("POST", f"/nominations/{nid}/stamp", f"stamp-{department}", actor=clerk)
    again = call("POST", f"/nominations/{nid}/stamp", "stamp-health", actor=clerk)  # a retried request
    print(f"    the retry answered with the same body: {first.get_json() == again.get_json()}")
    call("POST", f"/nominations/{nid}/recommend", "recommend-1", actor=lead)
    call("POST", "/nominations/no-such-id/stamp", actor=lead)


def main(argv: list[str]) -> int:
    try:
        import flask  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    shanghai = datetime.fromisoformat("2023-10-17T09:00:00+08:00")
    if argv[1:2] == ["serve"]:
        app = create_app(clock=None if os.environ.get("PILOTFLOW_NOW") else pf.FixedClock(shanghai))
        app.run()
        return 0
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Path(folder) / "pilotflow.db", clock=pf.FixedClock(shanghai))
        demo(app)
        app.extensions["pilotflow.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
