"""Transfers of Party relations (组织关系转接) in the demo county, one in each state and each
inbox: waiting for approval, approved without a letter, a letter on its way, a letter expired with
nobody received (口袋党员), received with its 回执 and with the 回执 overdue, returned, refused,
withdrawn, re-issued, to an organization outside the system (on its way and received) and one
from outside. Most touch 坪塘镇 and the demo branch, so their logins see them."""

import datetime as dt
from dataclasses import dataclass

from dangjian.core.enums import Education, Occupation
from dangjian.core.models import User
from dangjian.members.models import Category
from dangjian.orgs.models import Organization
from dangjian.transfers import services as transfers
from dangjian.transfers.models import Transfer

from .activity import Cast, Story, unit_of

D = dt.timedelta


@dataclass(frozen=True)
class Case:
    source: str  # where the member is: "branch" (the demo branch), "pingtang", "gushan", "county"
    target: str  # where to: the same, with ":unit" for the kind of unit; or "outside"
    requested: int  # days ago
    steps: tuple[tuple[str, int], ...] = ()  # (what, days ago): approve, issue, accept, receipt, …
    reason: str = ""
    answer: str = ""  # the reason of a return, refusal, cancellation or re-issue
    outside: str = ""  # the organization outside the system
    valid_days: int = 30


CASES = (
    Case("branch", "pingtang:community", 3, reason="家庭住址迁入{to}，就近参加组织生活"),
    Case("branch", "gushan:village", 12, (("approve", 9),), reason="婚后随配偶迁居{to}"),
    Case("gushan", "branch", 20, (("approve", 18), ("issue", 15)), reason="返乡创业，回{to}居住"),
    Case("pingtang", "county:organ", 80, (("approve", 78), ("issue", 75)), reason="调入{to}工作"),
    Case(
        "county",
        "pingtang:non_public_enterprise",
        120,
        (("approve", 118), ("issue", 115), ("accept", 100), ("receipt", 95)),
        reason="入职{to}",
    ),
    Case("pingtang", "gushan:village", 75, (("approve", 73), ("issue", 70), ("accept", 60)), reason="迁居{to}"),
    Case(
        "pingtang",
        "county:school",
        45,
        (("approve", 43), ("issue", 40), ("return", 35)),
        reason="调入{to}任教",
        answer="介绍信所写党费交至月份与党费缴纳记录不符，请核实后重新开具",
    ),
    Case(
        "branch",
        "county:non_public_enterprise",
        50,
        (("reject", 48),),
        reason="到{to}务工",
        answer="外出务工时间短、地点不固定，按规定办理流动党员活动证，暂不转移组织关系",
    ),
    Case(
        "pingtang",
        "county:village",
        30,
        (("approve", 28), ("cancel", 25)),
        reason="迁居{to}",
        answer="本人申请撤回：搬迁计划推迟",
    ),
    Case(
        "pingtang",
        "outside",
        14,
        (("approve", 12), ("issue", 10)),
        reason="到长沙市工作，随单位转接组织关系",
        outside="中共长沙市岳麓区观沙岭街道工作委员会",
        valid_days=60,
    ),
    Case(
        "branch",
        "outside",
        100,
        (("approve", 98), ("issue", 95), ("receipt", 70)),
        reason="户籍迁往湘潭市，随家庭迁居",
        outside="中共湘潭市雨湖区城正街街道工作委员会",
        valid_days=60,
    ),
    Case(
        "gushan",
        "county:organ",
        70,
        (("approve", 68), ("issue", 65), ("reissue", 20)),
        reason="调入{to}工作",
        answer="原介绍信逾期未办理接收：本人报到时间推迟，重新开具",
    ),
    Case(
        "county",
        "county:village",
        200,
        (("approve", 198), ("issue", 195), ("accept", 180), ("receipt", 172)),
        reason="迁居{to}",
    ),
)
# A letter from outside the system (登记系统外转入), into a community of 坪塘镇.
INCOMING = ("中共湘潭县易俗河镇委员会", "湘潭县易组转〔{year}〕{number}号")


def stories(cast: Cast) -> list[Story]:
    found = [_case(cast, case) for case in CASES]
    found.append(_incoming(cast))
    return found


def _towns(cast: Cast) -> dict[str, Organization]:
    return {"pingtang": cast.town(cast.pingtang), "gushan": cast.town(cast.gushan)}


def _branch(cast: Cast, where: str, *, exclude: tuple[int, ...] = ()) -> Organization:
    """A branch of ``where`` ("branch", "pingtang", "gushan", "county"; ":unit" narrows it to a
    kind of unit, where the county has one: a small demo county has no villages of its own)."""
    place, _, unit = where.partition(":")
    if place == "branch":
        return cast.login_branch
    towns = _towns(cast)
    candidates = [
        branch
        for branch in cast.branches(towns.get(place, cast.root), least=10)
        if branch.pk not in exclude
        and branch.pk != cast.login_branch.pk
        and (place != "county" or not any(branch.path.startswith(t.path) for t in towns.values()))
    ]
    of_unit = [branch for branch in candidates if branch.unit_category == unit]
    return cast.choice(of_unit or candidates)


def _case(cast: Cast, case: Case) -> Story:
    source = _branch(cast, case.source)
    member = cast.member(source)
    target = None if case.target == "outside" else _branch(cast, case.target, exclude=(source.pk,))
    sender, receiver = cast.writer_of(source), cast.admin_of(target) if target is not None else None
    approver = cast.admin_of(source)
    requested = cast.today - D(case.requested)
    reason = case.reason.format(to=unit_of(target) if target is not None else case.outside)
    yield requested
    transfer = transfers.request_transfer(
        actor=sender, member=member, to_org=target, to_outside=case.outside, reason=reason
    )
    for what, days_ago in case.steps:
        day = cast.today - D(days_ago)
        yield day
        transfer = _step(what, transfer, day, case, approver, receiver)


def _step(what: str, transfer: Transfer, day: dt.date, case: Case, approver: User, receiver: User | None) -> Transfer:
    """One step of the transfer on ``day``: the sending committee approves, refuses, issues,
    re-issues or withdraws; the receiving one accepts or returns; the 回执 is entered by the
    receiving side (by the sender for a letter to outside the system)."""
    if what in ("approve", "reject"):
        return transfers.approve_transfer(
            actor=approver, transfer=transfer, approve=what == "approve", reason=case.answer
        )
    if what == "issue":
        return transfers.issue_letter(
            actor=approver, transfer=transfer, valid_days=case.valid_days, dues_paid_through=day, date=day
        )
    if what == "reissue":
        return transfers.reissue_letter(
            actor=approver, transfer=transfer, valid_days=case.valid_days, dues_paid_through=day, reason=case.answer
        )
    if what == "cancel":
        return transfers.cancel_transfer(actor=approver, transfer=transfer, reason=case.answer)
    if what == "receipt":
        return transfers.record_receipt(actor=receiver or approver, transfer=transfer, date=day)
    assert receiver is not None, what
    if what == "accept":
        return transfers.accept_transfer(actor=receiver, transfer=transfer, date=day)
    return transfers.return_transfer(actor=receiver, transfer=transfer, reason=case.answer)


def _incoming(cast: Cast) -> Story:
    """A member who comes with a letter from outside the system, received by 坪塘镇."""
    target = _branch(cast, "pingtang:community")
    issued, received = cast.today - D(25), cast.today - D(20)
    joined = dt.date(issued.year - 9, 6, 28)
    female = cast.rng.random() < 0.5
    birth = dt.date(issued.year - 36, cast.rng.randint(1, 12), cast.rng.randint(1, 28))
    issuer, number = INCOMING
    yield received
    transfers.register_incoming(
        actor=cast.pingtang,
        to_org=target,
        from_outside=issuer,
        letter_number=number.format(year=issued.year, number=cast.rng.randint(10, 99)),
        issued_date=issued,
        valid_days=30,
        dues_paid_through=issued,
        date=received,
        name=cast.people.name(female),
        id_number=cast.new_id_number(birth, female),
        education=Education.JUNIOR_COLLEGE.value,
        occupation=Occupation.WORKER.value,
        job=f"{unit_of(target)}居民",
        category=Category.FULL.value,
        joined_date=joined,
        regularized_date=dt.date(joined.year + 1, joined.month, joined.day),
    )
