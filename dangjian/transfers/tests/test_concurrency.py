"""Two people acting at once (PostgreSQL: row locks are real there): exactly one wins, the other
gets a message saying what happened; and the stress test: 200 concurrent transfers across 50
branches through the API, after which every member is counted once and check_integrity is clean."""

import datetime as dt
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_id_number
from dangjian.core.errors import DomainError
from dangjian.core.models import Role, User
from dangjian.core.services import grant_role
from dangjian.members.models import Member, MembershipPeriod
from dangjian.members.services import create_member
from dangjian.orgs.models import OrgKind, UnitCategory
from dangjian.orgs.services import create_organization, create_root_organization
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 8  # bounded: the pool, and so the database connections, never exceed this


def _county(towns: int, branches_per_town: int, members_per_branch: int) -> tuple[User, list[Any], list[Member]]:
    # A tree of its own: whatever an earlier test left committed (the session's world) goes first.
    call_command("flush", interactive=False, verbosity=0)
    county = create_root_organization(
        name="压力测试县委", short_name="县委", code="S0", kind=OrgKind.COMMITTEE, unit_category=UnitCategory.ORGAN
    )
    admin = User.objects.create_user(username="stress_admin", password="x", home_organization=county)
    grant_role(actor=None, user=admin, role=Role.ORG_ADMIN, organization=county)
    branches: list[Any] = []
    members: list[Member] = []
    for t in range(towns):
        town = create_organization(
            actor=admin,
            parent=county,
            name=f"第{t + 1}镇党委",
            code=f"S{t + 1}",
            kind=OrgKind.COMMITTEE,
            unit_category=UnitCategory.TOWNSHIP,
            founded_date=dt.date(1990, 1, 1),
        )
        for b in range(branches_per_town):
            branch = create_organization(
                actor=admin,
                parent=town,
                name=f"第{t + 1}镇第{b + 1}村党支部",
                code=f"S{t + 1}-{b + 1}",
                kind=OrgKind.BRANCH,
                unit_category=UnitCategory.VILLAGE,
                founded_date=dt.date(1990, 1, 1),
            )
            branches.append(branch)
            for _ in range(members_per_branch):
                n = len(members)
                members.append(
                    create_member(
                        actor=admin,
                        organization=branch,
                        name=f"党员{n}",
                        id_number=make_id_number(
                            "1980-01-01", male=n % 2 == 0, sequence=100 + n, region=f"43{n // 400:04d}"
                        ),
                        education="bachelor",
                        category="full",
                        joined_date=dt.date(2005, 7, 1),
                        regularized_date=dt.date(2006, 7, 1),
                        since=dt.date(2010, 1, 1),
                    )
                )
    return admin, branches, members


def _threaded(work: Any, jobs: list[Any]) -> list[Any]:
    """``work`` over ``jobs`` in the bounded pool; each thread keeps its own database connection
    while the pool runs and closes it at the end (one closing job per thread: the barrier makes
    every thread take exactly one), so the test database can be dropped afterwards."""
    barrier = threading.Barrier(WORKERS)

    def close(_: int) -> None:
        barrier.wait()
        connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        try:
            return list(pool.map(work, jobs))
        finally:
            list(pool.map(close, range(WORKERS)))


def test_two_people_accepting_at_once_one_wins():
    admin, branches, members = _county(1, 2, 1)
    transfer = services.request_transfer(actor=admin, member=members[0], to_org=branches[1], reason="x")
    services.approve_transfer(actor=admin, transfer=transfer)
    services.issue_letter(actor=admin, transfer=transfer, valid_days=30, dues_paid_through=timezone.localdate())
    barrier = threading.Barrier(2)

    def accept(_: int) -> str:
        user = User.objects.get(pk=admin.pk)
        barrier.wait()
        try:
            services.accept_transfer(actor=user, transfer=transfer)
            return "won"
        except DomainError as error:
            return str(error)

    results = _threaded(accept, [1, 2])
    assert results.count("won") == 1
    assert "接收办结，不能再次办理" in next(r for r in results if r != "won")
    assert MembershipPeriod.objects.filter(member=members[0]).count() == 2
    call_command("check_integrity")


def test_stress_200_concurrent_transfers_across_50_branches_through_the_api(capsys):
    admin, branches, members = _county(5, 10, 4)
    rng = random.Random(6)
    destination = {m.pk: rng.choice([b for b in branches if b.pk != m.organization_id]) for m in members}
    local = threading.local()

    def client() -> Client:
        if not hasattr(local, "client"):
            local.client = Client()
            local.client.force_login(User.objects.get(pk=admin.pk))
        return local.client

    def post(name: str, pk: int | None = None, **body: Any) -> Any:
        url = reverse(name, args=[pk]) if pk else reverse(name)
        return client().post(url, body, content_type="application/json")

    today = timezone.localdate().isoformat()

    # 1. Every member's transfer is requested twice at once: the one-open-transfer rule lets one in.
    def request(member: Member) -> tuple[int, int]:
        response = post("transfer-list", member=member.pk, to_org=destination[member.pk].pk, reason="压力测试")
        return member.pk, response.status_code

    started = time.perf_counter()
    requested = _threaded(request, [m for m in members for _ in range(2)])
    by_code = Counter(code for _, code in requested)
    assert by_code == {201: 200, 400: 200}, by_code
    ids = list(Transfer.objects.values_list("pk", flat=True))

    # 2. Approve and issue each, then two people accept each at once.
    def approve_issue(pk: int) -> int:
        assert post("transfer-approve", pk).status_code == 200
        return post("transfer-issue", pk, valid_days=30, dues_paid_through=today).status_code

    assert set(_threaded(approve_issue, ids)) == {200}

    def accept(pk: int) -> tuple[int, str]:
        response = post("transfer-accept", pk, date=today)
        return response.status_code, response.content.decode()

    accepted = _threaded(accept, [pk for pk in ids for _ in range(2)])
    elapsed = time.perf_counter() - started
    codes = Counter(code for code, _ in accepted)
    assert codes == {200: 200, 400: 200}, codes
    assert all("不能再次办理" in body for code, body in accepted if code == 400)

    # Conserved: 200 members, each once, each where its transfer took it; the invariants hold.
    assert Transfer.objects.filter(state=TransferState.ACCEPTED).count() == 200
    live = Member.objects.filter(deleted_at__isnull=True)
    assert live.count() == 200
    assert dict(live.values_list("pk", "organization_id")) == {pk: org.pk for pk, org in destination.items()}
    assert MembershipPeriod.objects.filter(end__isnull=True).count() == 200
    assert MembershipPeriod.objects.count() == 400
    call_command("check_integrity")
    with capsys.disabled():
        print(
            f"\n[stress] 200 transfers (request×2, approve, issue, accept×2) across {len(branches)} branches, "
            f"{WORKERS} threads: {elapsed:.1f}s, {200 / elapsed:.1f} transfers/s, "
            f"{by_code[400]} duplicate requests refused, {codes[400]} concurrent accepts refused"
        )
