"""The approval log is one table for every workflow: any object, in order, with who and where."""

import pytest

from dangjian.approvals.models import ApprovalStep, Decision
from dangjian.approvals.services import record_step, steps_for


def test_steps_of_any_object_in_the_order_taken(world):
    # A workflow of another app (here: an organization as the object) uses the same log.
    for step, decision in (("初审", Decision.PASS), ("复审", Decision.RETURN)):
        record_step(
            actor=world.town_admin,
            target=world.village,
            workflow="development",
            step=step,
            decision=decision,
            organization=world.town,
            reason="材料需补充" if decision == Decision.RETURN else "",
        )
    record_step(
        actor=None, target=world.zhangsan, workflow="x", step="y", decision=Decision.RECORD, organization=world.village
    )
    steps = list(steps_for(world.village))
    assert [(s.step, s.decision, s.level, s.actor_name) for s in steps] == [
        ("初审", "pass", "党委", "town_admin"),
        ("复审", "return", "党委", "town_admin"),
    ]
    assert steps[0].target == world.village
    assert [s.actor_name for s in steps_for(world.zhangsan)] == ["系统"]


def test_a_return_or_rejection_needs_its_reason(world):
    with pytest.raises(ValueError, match="needs its reason"):
        record_step(
            actor=world.town_admin,
            target=world.village,
            workflow="x",
            step="审批",
            decision=Decision.REJECT,
            organization=world.town,
            reason="  ",
        )
    assert not ApprovalStep.objects.exists()
