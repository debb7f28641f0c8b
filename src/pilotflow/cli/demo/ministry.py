"""The ministry phase, step by step (:data:`STEPS`, in order): the experts review what the
ministry received, spot checks are drawn, the list is publicly noticed and objections are
ruled on, and the deadline sweep announces (and revokes the earlier winners that never
applied). ``run_demo(through="received")`` stops before it.
"""

from __future__ import annotations

from pilotflow import Actor
from pilotflow.names import ANNOUNCED, RECEIVED, REJECTED, REMOVED, REVOKED

from . import render
from .data import DEPARTMENTS, EXPERT_OFFSETS, MINISTRY, at
from .stage import Stage, step


@step(at(11, 1, 9), "The ministries' experts review what they received", "三部委组织专家评审")
def expert_review(stage: Stage) -> None:
    """Five experts score each nomination received (stricter than the districts: an earlier
    winner counts as 85); the ministry concludes each review."""
    run = stage.run
    received = run.nominations(state=RECEIVED)
    for n in stage.track(received, "expert review"):
        base = stage.unit_of[n.id].score or 85
        for i, offset in enumerate(EXPERT_OFFSETS):
            expert = Actor(MINISTRY, DEPARTMENTS[i % 3], f"专家{i + 1}")
            run.score(
                expert,
                n.id,
                score=max(0, min(100, base + offset)),
                opinion="材料翔实，应用成效明显" if base + offset >= 60 else "示范性不足",
            )
        run.conclude_review(stage.officer(MINISTRY), n.id)
    reviewed = run.nominations(state="reviewed")
    stage.note(f"{len(reviewed)} of {len(received)} passed (trimmed mean of 5 experts ≥ 60)")


@step(at(11, 3, 9), "On-site spot checks (20%, rounded up)", "实地抽检（20%，向上取整）")
def spot_checks(stage: Stage) -> None:
    """The first unit drawn fails its spot check; the ministry proposes every unit still standing."""
    run = stage.run
    ministry = stage.officer(MINISTRY)
    for i, nid in enumerate(run.draw_spot_checks(ministry, seed=2023)):
        passed = i != 0
        run.record_spot_check(
            ministry, nid, passed=passed, reason="现场核查属实" if passed else "现场核查与申报材料不符"
        )
        stage.note(f"{stage.unit_of[nid].name}: {'passed ✓' if passed else 'failed ✗ (removed)'}")
    for n in run.nominations(state="reviewed"):
        run.propose(ministry, n.id)


@step(at(11, 6, 9), "Public notice: 5 working days", "公示（5 个工作日）")
def public_notice(stage: Stage) -> None:
    """The list is publicly noticed; two objections are filed, one dismissed, one upheld."""
    run = stage.run
    ministry = stage.officer(MINISTRY)
    on_notice = run.publish_notice(ministry)
    until = run.get(on_notice[0]).ministry
    stage.note(f"{len(on_notice)} units on notice until {until.notice_until if until else '?'}")
    first, second = on_notice[0], on_notice[-1]
    stage.clock.set(at(11, 7, 10))
    run.file_objection(first, objector="王某（实名）", grounds="服务人数与实际不符", evidence="社区走访记录")
    stage.clock.set(at(11, 8, 10))
    run.file_objection(second, objector="李某（实名）", grounds="产品未实际投入使用", evidence="用户反馈")
    stage.clock.set(at(11, 10, 9))
    run.rule_on_objection(ministry, first, upheld=False, reason="经核查，异议不成立")
    run.rule_on_objection(ministry, second, upheld=True, reason="经核查，异议属实")
    stage.note(
        f"objection against {stage.unit_of[first].name} dismissed; "
        f"against {stage.unit_of[second].name} upheld (removed)"
    )


@step(
    at(11, 14, 9),
    "The notice has closed: the deadline sweep announces",
    "公示期满，定时任务公告（并撤销未申请复核的单位）",
)
def announcement(stage: Stage) -> None:
    """The deadline sweep announces (once: a second sweep moves nothing); the results are printed."""
    run = stage.run
    fired = run.tick()
    stage.note(f"tick() moved {len(fired)} nominations; running it again moves {len(run.tick())}")
    render.results(
        stage.console,
        [
            (n.unit_name, "2023" if n.track == "new" else f"复核 {n.batch}", n.state)
            for n in run.nominations()
            if n.state in (ANNOUNCED, REJECTED, REMOVED, REVOKED)
        ],
    )


#: The ministry phase, in order.
STEPS = (expert_review, spot_checks, public_notice, announcement)
