"""Scope holds on every route, for every role: an object just inside the scope works (or is
refused with 403 when the role may not do that), and the nearest object just outside it answers
404 and stays unchanged; lists, searches, counts, charts, pickers and exports show nothing outside.

Every URL route of the project must be declared in ROUTES; a new route that is not fails
``test_every_route_is_in_the_matrix``, so no endpoint is added without deciding its scope test.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.models import ApiToken, RoleAssignment, User
from dangjian.core.services import create_token
from dangjian.elections.models import Officer, Term
from dangjian.members.models import CorrectionRequest, Member, MemberImport, PartyGroup
from dangjian.orgs.models import CoManagement, CoveredUnit, Organization, Restructuring

Pair = tuple[str | None, str | None]  # (inside, outside): World attribute names


@dataclass
class Case:
    """One role's view of the world."""

    user: str
    org: Pair
    member: Pair
    account: Pair  # user accounts, for the account pages
    may: set[str] = field(default_factory=set)  # read_orgs, orgs, read_members, members, reveal, users, …


CASES = [
    Case(
        "county_admin",
        ("enterprise", None),
        ("zhaoliu", None),
        ("town_admin", None),
        {"read_orgs", "orgs", "read_members", "members", "reveal", "users"},
    ),
    Case(
        "town_admin",
        ("community", "enterprise"),
        ("wangfang", "zhaoliu"),
        ("branch_admin", "other_admin"),
        {"read_orgs", "orgs", "read_members", "members", "reveal", "users"},
    ),
    Case(
        "other_admin",
        ("enterprise", "village"),
        ("zhaoliu", "zhangsan"),
        ("other_admin", "town_admin"),
        {"read_orgs", "orgs", "read_members", "members", "reveal", "users"},
    ),
    Case(
        "branch_admin",
        ("village", "community"),
        ("lisi", "wangfang"),
        (None, "town_admin"),
        {"read_orgs", "read_members", "members", "reveal"},
    ),
    Case("member_user", ("village", "community"), ("zhangsan", "lisi"), (None, "town_admin"), {"reveal", "correct"}),
    Case("no_role", (None, "village"), (None, "zhangsan"), (None, "town_admin")),
    Case("system_admin", ("enterprise", None), (None, "zhangsan"), ("town_admin", None), {"read_orgs", "users"}),
    Case("security_admin", (None, "village"), (None, "zhangsan"), (None, "town_admin"), {"security"}),
    Case("audit_admin", (None, "village"), (None, "zhangsan"), (None, "town_admin"), {"audit"}),
]


@dataclass
class Route:
    """How a route reaches data, and what it needs.

    takes:   "org", "member", "account", "assignment", "token": the URL names such an object;
             "list": the page or endpoint shows rows (nothing outside may show);
             "open": no member or organization data (login, schema, one's own account pages).
    needs:   the right an in-scope request needs, else 403.
    section: the right the whole page needs: without it, 403 whatever the object."""

    takes: str
    method: str = "get"
    needs: str = ""
    section: str = ""
    data: dict[str, Any] | None = None
    destructive: bool = False  # only its out-of-scope request is sent here
    sees: str = ""  # the right without which even an object "inside" is not in the scope (404)


ROUTES: dict[str, Route] = {
    "login": Route("open"),
    "logout": Route("open"),
    "api-schema": Route("open"),
    "api-docs": Route("open"),
    "api-token": Route("open"),
    "api-root": Route("open"),
    "accounts:profile": Route("open"),
    "accounts:password": Route("open"),
    "accounts:tokens": Route("open"),
    "accounts:act_as": Route("open"),
    "accounts:token_revoke": Route("token", method="post", destructive=True),
    "home": Route("list"),
    "orgs:tree": Route("list"),
    "orgs:pick": Route("list"),
    "members:pick": Route("list"),
    "orgs:destination_pick": Route("open"),  # names and codes of receiving organizations, tree-wide
    "orgs:detail": Route("org"),
    "orgs:children": Route("org"),
    "orgs:history": Route("org"),
    "orgs:edit": Route("org", needs="orgs"),
    "orgs:create": Route("org", needs="orgs"),
    "orgs:delete": Route("org", method="post", needs="orgs", destructive=True),
    "orgs:export": Route("org", needs="read_orgs"),
    "orgs:import": Route("org", needs="orgs"),
    "orgs:restructure": Route("org", needs="orgs"),
    "orgs:covered_unit_add": Route("org", method="post", needs="orgs", destructive=True),
    "orgs:covered_unit_remove": Route("unit", method="post", needs="orgs", destructive=True),
    "orgs:co_management_add": Route("org", method="post", needs="orgs", destructive=True),
    "orgs:co_management_end": Route("link", method="post", needs="orgs", destructive=True),
    "members:groups": Route("org", needs="read_members"),
    "members:group_edit": Route("group", method="post", needs="members", destructive=True),
    "members:group_dissolve": Route("group", method="post", needs="members", destructive=True),
    "members:split": Route("org", needs="orgs"),
    "elections:terms": Route("org", needs="read_members"),
    "elections:officer_relieve": Route("officer", method="post", needs="members", destructive=True),
    "elections:term_end": Route("term", method="post", needs="members", destructive=True),
    "elections:expiring": Route("list", section="read_orgs"),
    "elections:structure": Route("org", needs="read_orgs"),
    "members:list": Route("list"),
    "members:create": Route("list"),
    "members:detail": Route("member"),
    "members:history": Route("member"),
    "members:edit": Route("member", needs="members"),
    "members:reveal": Route("member", method="post", needs="reveal"),
    "members:delete": Route("member", method="post", needs="members", destructive=True),
    "members:export": Route("list", section="read_members"),
    "members:status": Route("member", method="post", needs="members", destructive=True),
    "members:correction_new": Route("member", needs="correct"),
    "members:corrections": Route("list", section="members"),
    "members:correction_decide": Route("correction", needs="members", sees="read_members"),
    "members:import": Route("list", section="members"),
    "members:import_template": Route("list", section="members"),
    # An import job is its uploader's alone (the report holds the uploaded rows): another user,
    # whatever the role, gets 404 inside the scope too. The uploader's own access is tested in
    # members/tests/test_import_jobs.py.
    "members:import_detail": Route("import", sees="uploader"),
    "members:import_progress": Route("import", sees="uploader"),
    "members:import_report": Route("import", sees="uploader"),
    "organization-list": Route("list"),
    "organization-detail": Route("org"),
    "member-list": Route("list"),
    "member-detail": Route("member"),
    "member-reveal": Route("member", method="post", needs="reveal"),
    "member-status": Route("member", method="post", needs="members", destructive=True),
    "member-summary": Route("list"),
    "restructuring-list": Route("list"),
    "restructuring-detail": Route("restructuring", sees="read_orgs"),
    "restructuring-merge": Route("open"),
    "restructuring-split": Route("open"),
    "restructuring-move": Route("open"),
    "restructuring-change-kind": Route("open"),
    "restructuring-abolish": Route("open"),
    "term-list": Route("list"),
    "term-detail": Route("term", sees="read_orgs"),
    "term-end": Route("term", method="post", needs="members", destructive=True),
    "term-appoint": Route("term", method="post", needs="members", destructive=True),
    "term-relieve": Route("term", method="post", needs="members", destructive=True),
    "structure-list": Route("list", section="read_orgs"),
    "party-group-list": Route("list"),
    "party-group-detail": Route("group", sees="read_members"),
    "party-group-dissolve": Route("group", method="post", needs="members", destructive=True),
    "organization-add-covered-unit": Route("org", method="post", needs="orgs", destructive=True),
    "organization-remove-covered-unit": Route("org", method="post", needs="orgs", destructive=True),
    "organization-add-co-manager": Route("org", method="post", needs="orgs", destructive=True),
    "organization-end-co-manager": Route("org", method="post", needs="orgs", destructive=True),
    "accounts:users": Route("list", section="users"),
    "accounts:user_create": Route("list", section="users"),
    "accounts:user": Route("account", section="users"),
    "accounts:user_history": Route("account", section="users"),
    "accounts:user_grant": Route("account", method="post", section="users", destructive=True),
    "accounts:user_reset_password": Route("account", method="post", section="users", destructive=True),
    "accounts:user_active": Route("account", method="post", section="users", destructive=True),
    "accounts:user_revoke": Route("assignment", method="post", section="users", destructive=True),
    "accounts:security": Route("list", section="security"),
    "accounts:lockouts": Route("list", section="security"),
    "accounts:all_tokens": Route("list", section="security"),
    "accounts:audit": Route("list", section="audit"),
    "accounts:audit_export": Route("list", section="audit"),
    "accounts:audit_verify": Route("list", method="post", section="audit"),
    # Transfers and mobile members: both sides see a transfer (the receiving side's view is tested
    # in transfers/tests/test_scope.py); operations that take a letter or certificate number or an
    # organization in their body are tested there too (test_body_operations_refuse_outside).
    "transfers:inbox": Route("list", section="read_members"),
    "transfers:list": Route("list", section="read_members"),
    "transfers:new": Route("list", section="members"),
    "transfers:receipt": Route("list", section="members"),
    "transfers:incoming": Route("list", section="members"),
    "transfers:detail": Route("transfer", sees="read_members"),
    "transfers:letter": Route("transfer", sees="read_members"),
    "transfers:act": Route("transfer", method="post", needs="members", destructive=True),
    "transfers:mobile": Route("list", section="read_members"),
    "transfers:mobile_summary": Route("list", section="read_members"),
    "transfers:mobile_new": Route("list", section="members"),
    "transfers:mobile_inflow": Route("list", section="members"),
    "transfers:mobile_detail": Route("mobile", sees="read_members"),
    "transfer-list": Route("list"),
    "transfer-inbox": Route("list"),
    "transfer-detail": Route("transfer", sees="read_members"),
    "transfer-letter": Route("transfer", sees="read_members"),
    **{
        f"transfer-{step}": Route("transfer", method="post", needs="members", destructive=True)
        for step in ("approve", "issue", "reissue", "accept", "return", "cancel", "receipt")
    },
    "transfer-receipt-by-number": Route("open"),
    "transfer-incoming": Route("open"),
    "mobile-member-list": Route("list"),
    "mobile-member-summary": Route("list"),
    "mobile-member-detail": Route("mobile", sees="read_members"),
    **{
        f"mobile-member-{step}": Route("mobile", method="post", needs="members", destructive=True)
        for step in ("contact", "review", "return")
    },
    "mobile-member-inflow": Route("open"),
    # 党纪处分: read by the roles that read members, through the member's path; recorded and
    # ended by an 组织部/党委管理员 whose scope holds the member ("orgs"). The deciding
    # organization in a body may lie above the scope (discipline/tests/test_api.py).
    "discipline:list": Route("list", section="read_members"),
    "discipline:new": Route("member", needs="orgs"),
    "discipline:detail": Route("sanction", sees="read_members"),
    "discipline:act": Route("sanction", method="post", needs="orgs", destructive=True),
    "sanction-list": Route("list"),
    "sanction-detail": Route("sanction", sees="read_members"),
    **{
        f"sanction-{step}": Route("sanction", method="post", needs="orgs", destructive=True)
        for step in ("extend", "restore", "expel")
    },
    # Member development (发展党员): pages need a role that reads members; a file is reached
    # through its branch's path. The rule table is system-wide (read by every administrator; its
    # edit is refused below the county: development/tests/test_views.py), and the plan's POST
    # takes its organization in the body (test_api_year_and_quota).
    "development:pipeline": Route("list", section="read_members"),
    "development:due": Route("list", section="read_members"),
    "development:year": Route("list", section="read_members"),
    "development:rules": Route("list", section="read_orgs"),
    "development:rule_edit": Route("open"),
    "development:pipeline_org": Route("org", section="read_members"),
    "development:due_org": Route("org", section="read_members"),
    "development:year_org": Route("org", section="read_members"),
    "development:new": Route("org", section="read_members"),
    "development:detail": Route("applicant", section="read_members"),
    "development:document": Route("document", section="read_members"),
    "development-file-list": Route("list"),
    "development-file-pipeline": Route("list"),
    "development-file-due": Route("list"),
    "development-file-year": Route("list"),
    "development-file-quota": Route("open"),
    "development-file-detail": Route("applicant", sees="read_members"),
    "development-file-step": Route("applicant", method="post", needs="members", destructive=True),
    "development-file-assessment": Route("applicant", method="post", needs="members", destructive=True),
    "development-file-publicity": Route("applicant", method="post", needs="members", destructive=True),
    # The inbox (待办事项): read by the roles that read members, through the item's own path;
    # dismissed by those that write them (core/tests/test_inbox.py tests the dismissal inside).
    "inbox:list": Route("list", section="read_members"),
    "inbox:dismiss": Route("inbox_item", needs="members", sees="read_members"),
    "inbox-item-list": Route("list"),
    "inbox-item-summary": Route("list"),
    "inbox-item-detail": Route("inbox_item", sees="read_members"),
    "inbox-item-dismiss": Route("inbox_item", method="post", needs="members", destructive=True),
    # Organizational life (组织生活): read and recorded by the roles that read members; a meeting is
    # reached through the path of the organization that held it.
    "meetings:overview": Route("list", section="read_members"),
    "meetings:branch": Route("org", section="read_members"),
    "meetings:map": Route("org", section="read_members"),
    "meetings:new": Route("org", section="read_members"),
    "meetings:lapsed": Route("org", section="read_members"),
    "meetings:detail": Route("meeting", section="read_members"),
    "meetings:attendance": Route("meeting", section="read_members"),
    "meetings:delete": Route("meeting", method="post", needs="members", destructive=True),
    "meetings:review": Route("org", section="read_members"),
    "meetings:review_open": Route("org", method="post", section="read_members", destructive=True),
    "meetings:review_act": Route("review_entry", method="post", needs="members", destructive=True),
    "meetings:attachment_upload": Route("meeting", method="post", needs="members", destructive=True),
    "meetings:attachment": Route("attachment", section="read_members"),
    "meetings:attachment_thumbnail": Route("attachment", section="read_members"),
    "meetings:qr": Route("meeting", section="read_members"),
    "meetings:qr_image": Route("meeting", section="read_members"),
    # A scanned code's page: the meeting is found by its signed token and the member by the
    # meeting's list, never by the scope (meetings/tests/test_check_in.py).
    "meetings:check_in": Route("open"),
    "meeting-list": Route("list"),
    "meeting-compliance": Route("list", section="read_members"),
    "meeting-detail": Route("meeting", sees="read_members"),
    "meeting-attendance": Route("meeting", method="post", needs="members", destructive=True),
    # Party dues (党费), the files and the API: read by the roles that read members (a 党员 reads
    # their own rows through the API, tested in dues/tests/test_api.py), recorded by those that
    # write them; a ledger row is reached through its branch's path, a basis through its member's.
    "dues:register": Route("org", section="read_members"),
    "dues:summary": Route("list", section="read_members"),
    "dues:import": Route("list", section="members"),
    "dues-month-list": Route("list"),
    "dues-month-detail": Route("dues_month", sees="read_members"),
    "dues-payment-list": Route("list"),
    "dues-payment-detail": Route("dues_payment", sees="read_members"),
    "dues-payment-reverse": Route("dues_payment", method="post", needs="members", destructive=True),
    "dues-basis-list": Route("list"),
    "dues-basis-detail": Route("dues_basis", sees="read_members"),
    "dues-arrears-list": Route("list"),
    # The dues pages: a branch's month, the arrears and the collection are read by the roles that
    # read members; a member's ledger by them and by the 党员 it is about; the entry, the basis and
    # the reversal are the writers' (dues/tests/test_views.py posts inside and outside).
    "dues:overview": Route("list"),
    "dues:branch": Route("org", section="read_members"),
    "dues:member": Route("member"),
    "dues:pay": Route("member", needs="members"),
    "dues:basis": Route("member", needs="members"),
    "dues:reverse": Route("dues_payment", section="read_members", needs="members"),
    "dues:arrears": Route("list", section="read_members"),
    "dues:collection": Route("list", section="read_members"),
    "dues:remittance": Route("list", section="read_members"),
    # The statistics: figures of the subtree for the roles that read members; a submission is its
    # organization's (the level above sees its children's); the register of units without a Party
    # organization is the committees' setting (stats/tests/test_pages.py, test_units.py).
    "stats:report": Route("list", section="read_members"),
    "stats:cell": Route("list", section="read_members"),
    "stats:dashboard": Route("list", section="read_members"),
    "stats:dashboard-data": Route("list", section="read_members"),
    "stats:workbook": Route("list", section="read_members"),
    "stats:pdf": Route("list", section="read_members"),
    "stats:submissions": Route("list", section="read_members"),
    "stats:submit": Route("list", method="post", section="read_members"),
    "stats:submission": Route("submission", section="read_members"),
    "stats:return": Route("submission", method="post", section="read_members", needs="members", destructive=True),
    "stats:unit_add": Route("org", method="post", needs="orgs", destructive=True),
    "stats:unit_close": Route("uncovered_unit", method="post", needs="orgs", destructive=True),
}
WRITES = {  # the API detail routes under their write methods
    ("organization-detail", "patch"): Route("org", method="patch", needs="orgs", data={"short_name": "改"}),
    ("organization-detail", "delete"): Route("org", method="delete", needs="orgs", destructive=True),
    ("member-detail", "patch"): Route("member", method="patch", needs="members", data={"name": "改名"}),
    ("member-detail", "delete"): Route("member", method="delete", needs="members", destructive=True),
    ("party-group-detail", "patch"): Route(
        "group", method="patch", needs="members", data={"name": "第二党小组"}, sees="read_members"
    ),
}
# The restructuring operations and a new term (POST terms/) take organizations in their body, not in
# the URL: their scope test is test_api_operations_refuse_organizations_outside.


def route_names() -> set[str]:
    def walk(patterns: list[Any], namespace: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"route {pattern.pattern} has no name; name it and add it to ROUTES"
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns, ""))


def test_every_route_is_in_the_matrix():
    assert route_names() == set(ROUTES), "declare each route's scope test in ROUTES"


def _objects(world: Any, case: Case, takes: str) -> tuple[Any, Any]:
    """The (inside, outside) objects of this kind for this case (None where there is none)."""
    if takes == "token":
        owner = getattr(world, case.user)
        other = world.other_admin if case.user == "town_admin" else world.town_admin
        own = create_token(actor=owner, name="own")[0]
        foreign = create_token(actor=other, name="foreign")[0]
        return own, (None if "security" in case.may else foreign)
    if takes in ATTACHED:
        return tuple(ATTACHED[takes](getattr(world, name)) if name else None for name in case.org)  # type: ignore[return-value]
    kind = {"org": case.org, "member": case.member, "account": case.account, "assignment": case.account}[takes]
    inside, outside = (getattr(world, name) if name else None for name in kind)
    if takes == "assignment":
        inside = RoleAssignment.objects.filter(user=inside).first() if inside else None
        outside = RoleAssignment.objects.filter(user=outside).first() if outside else None
    return inside, outside


def _term(organization: Any) -> Term:
    return Term.objects.create(
        organization=organization, number=1, start=dt.date(2024, 1, 1), expected_end=dt.date(2027, 1, 1)
    )


ATTACHED: dict[str, Callable[[Any], Any]] = {  # things that belong to an organization, made for the test
    "unit": lambda org: CoveredUnit.objects.create(organization=org, name="某公司", unit_category="other"),
    "link": lambda org: CoManagement.objects.create(
        organization=org, co_manager=Organization.objects.get(depth=1), kind="territorial", since=dt.date(2024, 1, 1)
    ),
    "group": lambda org: PartyGroup.objects.create(organization=org, name="第一党小组"),
    "restructuring": lambda org: Restructuring.objects.create(
        kind="abolish", effective_date=dt.date(2024, 1, 1), subject=org, summary={}
    ),
    "term": _term,
    "import": lambda org: MemberImport.objects.create(
        organization=org, created_by=User.objects.get(username="no_role"), file="imports/x.xlsx", file_name="x.xlsx"
    ),
    "correction": lambda org: CorrectionRequest.objects.create(
        member=Member.objects.filter(organization=org)[0], requested_by=User.objects.order_by("pk")[0], changes={}
    ),
    "officer": lambda org: Officer.objects.create(
        term=_term(org),
        position="secretary",
        member=Member.objects.filter(organization=org)[0],
        since=dt.date(2024, 1, 1),
    ),
}


def _transfer(organization: Any) -> Any:
    from dangjian.transfers.models import Transfer

    member = Member.objects.filter(organization=organization)[0]
    day = dt.date(2024, 1, 1)
    return Transfer.objects.create(
        kind="to_outside",
        state="issued",
        member=member,
        member_name=member.name,
        from_org=organization,
        to_outside="系统外某党委",
        reason="工作调动",
        letter_number=f"M-{organization.pk}",
        issued_date=day,
        valid_days=30,
        valid_until=dt.date(2024, 1, 31),
        dues_paid_through=day,
    )


def _mobile(organization: Any) -> Any:
    from dangjian.transfers.models import MobileMember

    day = dt.date(2024, 1, 1)
    return MobileMember.objects.create(
        member=Member.objects.filter(organization=organization)[0],
        outflow_org=organization,
        destination="外地",
        reason="务工",
        contact="电话",
        expected_months=6,
        left_date=day,
        last_contact_date=day,
    )


ATTACHED |= {"transfer": _transfer, "mobile": _mobile}


def _sanction(organization: Any) -> Any:
    from dangjian.discipline.models import Sanction

    member = Member.objects.filter(organization=organization)[0]
    return Sanction.objects.create(
        member=member,
        member_name=member.name,
        kind="probation",
        months=12,
        decided_on=dt.date(2024, 1, 1),
        effect_until=dt.date(2025, 1, 1),
        deciding_org=organization,
        deciding_org_name=organization.name,
        reason="违反组织纪律",
    )


ATTACHED |= {"sanction": _sanction}


def _meeting(organization: Any) -> Any:
    from dangjian.meetings.models import Meeting

    day = dt.date(2024, 3, 1)
    return Meeting.objects.create(
        organization=organization,
        org_path=organization.path,
        held_on=day,
        starts_at=dt.time(9),
        place="党员活动室",
        topic="主题党日",
        entered_on=day,
        created_by=User.objects.order_by("pk")[0],
    )


def _review_entry(organization: Any) -> Any:
    from dangjian.meetings.models import Review, ReviewEntry

    review = Review.objects.create(
        organization=organization,
        org_path=organization.path,
        year=2024,
        opened_on=dt.date(2024, 12, 1),
        created_by=User.objects.order_by("pk")[0],
    )
    return ReviewEntry.objects.create(review=review, member=Member.objects.filter(organization=organization)[0])


def _attachment(organization: Any) -> Any:
    from django.core.files.base import ContentFile

    from dangjian.meetings.models import Attachment

    return Attachment.objects.create(
        meeting=_meeting(organization),
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        file_name="minutes.pdf",
        uploaded_by=User.objects.order_by("pk")[0],
    )


ATTACHED |= {"meeting": _meeting, "review_entry": _review_entry, "attachment": _attachment}


def _applicant(organization: Any) -> Any:
    from conftest import make_id_number
    from dangjian.development.models import Applicant

    number = make_id_number("1995-01-01", male=True, sequence=100 + organization.pk % 300)
    return Applicant.objects.create(
        name="发展对象测试",
        gender="1",
        birth_date=dt.date(1995, 1, 1),
        education="bachelor",
        organization=organization,
        org_path=organization.path,
        **Applicant.id_columns(number),
    )


def _document(organization: Any) -> Any:
    from django.core.files.base import ContentFile

    from dangjian.development.models import Document

    return Document.objects.create(
        applicant=_applicant(organization), kind="other", file=ContentFile(b"%PDF", name="x.pdf"), file_name="x.pdf"
    )


ATTACHED |= {"applicant": _applicant, "document": _document}


def _inbox_item(organization: Any) -> Any:
    from django.utils import timezone

    from dangjian.core.models import InboxItem

    return InboxItem.objects.create(
        organization=organization,
        org_path=organization.path,
        source="matrix",
        key=f"matrix:{organization.pk}",
        kind="测试事项",
        title="待办测试事项",
        due=dt.date(2024, 1, 1),
        link="/",
        opened_at=timezone.now(),
    )


ATTACHED |= {"inbox_item": _inbox_item}


def _dues_basis(organization: Any) -> Any:
    from dangjian.dues.models import DuesBasis, DuesStandard

    return DuesBasis.objects.create(
        member=Member.objects.filter(organization=organization)[0],
        valid_from=dt.date(2024, 1, 1),
        category="farmer",
        standard=DuesStandard.objects.get(region=""),
        amount=20,
    )


def _dues_month(organization: Any) -> Any:
    from dangjian.dues.models import DuesMonth

    basis = _dues_basis(organization)
    return DuesMonth.objects.create(
        member=basis.member,
        month=dt.date(2024, 1, 1),
        organization=organization,
        org_path=organization.path,
        basis=basis,
        owed=20,
    )


def _dues_payment(organization: Any) -> Any:
    from dangjian.dues.models import DuesPayment

    return DuesPayment.objects.create(
        member=Member.objects.filter(organization=organization)[0],
        amount=20,
        paid_on=dt.date(2024, 1, 5),
        collected_by=organization,
        org_path=organization.path,
    )


ATTACHED |= {"dues_basis": _dues_basis, "dues_month": _dues_month, "dues_payment": _dues_payment}


def _submission(organization: Any) -> Any:
    from dangjian.core.models import User
    from dangjian.stats.models import Submission
    from dangjian.stats.services import pack_ids

    return Submission.objects.create(
        organization=organization,
        org_path=organization.path,
        year=2024,
        day=dt.date(2024, 12, 31),
        form_code="2021",
        figures={},
        roll=pack_ids([]),
        submitted_by=User.objects.get(username="county_admin"),
    )


def _uncovered_unit(organization: Any) -> Any:
    from dangjian.stats.models import UncoveredUnit

    return UncoveredUnit.objects.create(
        organization=organization,
        org_path=organization.path,
        name="某未建党组织的公司",
        unit_category="non_public_enterprise",
        listed_on=dt.date(2024, 1, 1),
    )


ATTACHED |= {"submission": _submission, "uncovered_unit": _uncovered_unit}
OBJECT_KWARG = {"unit": "unit", "link": "link", "group": "group", "term": "term", "officer": "officer"}


def _url(name: str, obj: Any) -> str:
    if name == "orgs:create":
        return reverse(name, kwargs={"parent_pk": obj.pk})
    if name == "orgs:restructure":
        return reverse(name, kwargs={"pk": obj.pk, "kind": "merge"})
    if name == "accounts:user_revoke":
        return reverse(name, kwargs={"pk": obj.user_id, "assignment": obj.pk})
    takes = ROUTES[name].takes if name in ROUTES else ""
    if takes in OBJECT_KWARG and ":" in name:  # pages nest the object under its organization
        organization = obj.term.organization_id if takes == "officer" else obj.organization_id
        return reverse(name, kwargs={"pk": organization, OBJECT_KWARG[takes]: obj.pk})
    return reverse(name, kwargs={"pk": obj.pk})


def _send(client: Any, route: Route, url: str) -> Any:
    send: Callable[..., Any] = getattr(client, route.method)
    if route.method == "patch":
        return send(url, route.data or {}, content_type="application/json")
    return send(url)


def _state(obj: Any) -> Any:
    """What a refused request must leave unchanged."""
    fresh = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    return fresh


OBJECT_ROUTES = [(name, route) for name, route in ROUTES.items() if route.takes not in ("list", "open")]
OBJECT_ROUTES += [(name, route) for (name, _), route in WRITES.items()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.user)
@pytest.mark.parametrize(("name", "route"), OBJECT_ROUTES, ids=[f"{n}:{r.method}" for n, r in OBJECT_ROUTES])
def test_object_routes_answer_404_outside_and_work_inside(world, case, name, route):
    client = world.client(getattr(world, case.user))
    inside, outside = _objects(world, case, route.takes)
    refused_section = route.section and route.section not in case.may
    if outside is not None:
        before = _state(outside)
        response = _send(client, route, _url(name, outside))
        expected = 403 if refused_section else 404
        assert response.status_code == expected, f"{case.user} got {response.status_code} on {name} of {outside}"
        assert _state(outside) == before, f"{case.user} changed {outside} through {name}"
    if inside is None or route.destructive:
        return  # destructive requests inside the scope are tested with their services and pages
    response = _send(client, route, _url(name, inside))
    if route.sees and route.sees not in case.may:
        assert response.status_code == 404, (case.user, name)
        return
    allowed = not refused_section and (not route.needs or route.needs in case.may)
    assert response.status_code == (200 if allowed else 403), (case.user, name, response.content[:300])


LIST_ROUTES = [name for name, route in ROUTES.items() if route.takes == "list"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.user)
@pytest.mark.parametrize("name", LIST_ROUTES)
def test_lists_show_nothing_outside(world, case, name):
    client = world.client(getattr(world, case.user))
    route = ROUTES[name]
    response = _send(client, route, reverse(name)) if route.method == "post" else client.get(reverse(name), follow=True)
    if route.section and route.section not in case.may:
        assert response.status_code == 403
        return
    assert response.status_code in (200, 302, 403)
    exported = name.split(":")[-1].endswith("export")
    body = _workbook_text(response) if exported else response.content.decode(errors="replace")
    landed = response.resolver_match.view_name if response.resolver_match else name
    if landed.startswith("accounts:audit") or landed == "accounts:lockouts":
        return  # the trail names who did what to which object: that is its purpose, and only the 三员 read it
    for attribute in (case.org[1], case.member[1], case.account[1] if route.section == "users" else None):
        if attribute:
            outside = getattr(world, attribute)
            assert str(outside) not in body, f"{case.user} sees {outside} in {name}"
    # The lists are not simply empty: what is inside shows.
    if case.member[0] and name in ("members:list", "member-list") and case.user != "member_user":
        assert str(getattr(world, case.member[0])) in body
    if case.org[0] and name == "organization-list":
        assert str(getattr(world, case.org[0])) in body
    if case.account[0] and name == "accounts:users":
        assert getattr(world, case.account[0]).username in body


def _workbook_text(response: Any) -> str:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return "\n".join(" ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.user)
def test_search_finds_nothing_outside(world, case):
    client = world.client(getattr(world, case.user))
    outside = getattr(world, case.member[1]) if case.member[1] else None
    if outside is None:
        return
    for query in (outside.name, outside.name_initials, outside.name_pinyin, outside.id_number[-6:]):
        page = client.get(reverse("members:list"), {"q": query})
        if page.status_code == 200 and page.context and "page" in page.context:
            assert outside not in page.context["page"].object_list, f"{case.user} found {outside} by {query}"
        api = client.get(reverse("member-list"), {"q": query})
        assert outside.pk not in [row["id"] for row in api.json()["results"]]


EXPECTED_COUNTS = {
    "county_admin": 4,
    "town_admin": 3,
    "other_admin": 1,
    "branch_admin": 2,
    "member_user": 1,
    "no_role": 0,
    "system_admin": 0,
    "security_admin": 0,
    "audit_admin": 0,
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.user)
def test_counts_and_charts_cover_the_scope_only(world, case):
    client = world.client(getattr(world, case.user))
    expected = EXPECTED_COUNTS[case.user]
    summary = client.get(reverse("member-summary")).json()
    assert summary["total"] == expected
    assert sum(row["count"] for row in summary["by_gender"]) == expected
    assert sum(row["count"] for row in summary["by_age_band"]) == expected
    assert client.get(reverse("member-list")).json()["count"] == expected


@pytest.mark.parametrize("case", [c for c in CASES if c.org[1]], ids=lambda c: c.user)
def test_filtering_by_an_outside_organization_is_refused(world, case):
    client = world.client(getattr(world, case.user))
    outside = getattr(world, case.org[1])
    api = client.get(reverse("member-list"), {"organization": outside.pk})
    assert api.status_code == 400
    assert "不在您的管理范围内" in api.json()["organization"][0]
    assert client.get(reverse("organization-list"), {"within": outside.pk}).status_code == 400
    page = client.get(reverse("members:list"), {"organization": outside.pk}, follow=True)
    if case.user == "member_user":  # a member's roster is their own record, whatever is asked
        assert page.context["member"] == world.zhangsan
        return
    assert "不在您的管理范围内" in page.content.decode()
    assert page.context["page"].paginator.count == 0


@pytest.mark.parametrize("case", [c for c in CASES if c.org[1]], ids=lambda c: c.user)
def test_the_organization_picker_offers_nothing_outside(world, case):
    client = world.client(getattr(world, case.user))
    outside = getattr(world, case.org[1])
    for params in ({"pick": outside.name}, {"pick": outside.code}, {"pick": "中共", "holders": "1"}):
        response = client.get(reverse("orgs:pick"), params)
        assert outside not in response.context["organizations"]
        assert f'data-pick-id="{outside.pk}"' not in response.content.decode()
    if case.org[0]:
        inside = getattr(world, case.org[0])
        assert inside.name in client.get(reverse("orgs:pick"), {"pick": inside.name}).content.decode()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.user)
def test_the_member_picker_offers_nothing_outside(world, case):
    """By name, pinyin, initials and the ID number's tail: only members of the scope, each with
    the organization holding them and the masked number."""
    client = world.client(getattr(world, case.user))
    if case.member[1]:
        outside = getattr(world, case.member[1])
        tail = outside.id_number[-4:]
        for text in (outside.name, outside.name_pinyin, outside.name_initials, tail, outside.id_number):
            response = client.get(reverse("members:pick"), {"pick": text})
            assert outside not in response.context["members"]
            assert f'data-pick-id="{outside.pk}"' not in response.content.decode()
            assert outside.organization.name not in response.content.decode()
    if case.member[0]:
        inside = getattr(world, case.member[0])
        body = client.get(reverse("members:pick"), {"pick": inside.name_initials}).content.decode()
        assert f'data-pick-id="{inside.pk}"' in body
        assert inside.organization.name in body and inside.masked_id_number in body
        assert inside.id_number not in body


def test_a_tampered_organization_id_shows_no_name_outside(world):
    body = world.client(world.town_admin).get(reverse("members:create"), {"organization": world.enterprise.pk})
    assert world.enterprise.name not in body.content.decode()


def test_tokens_of_others_stay_theirs(world):
    """A token is revoked by its owner or the 安全管理员, nobody else."""
    token = create_token(actor=world.town_admin, name="脚本")[0]
    assert world.client(world.county_admin).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert world.client(world.security_admin).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.parametrize("case", [c for c in CASES if c.org[1]], ids=lambda c: c.user)
def test_api_operations_refuse_organizations_outside(world, case):
    """The operations take organizations in their body (or query): each one outside the scope is
    refused by name, in the preview as in the operation, and nothing moves."""
    client = world.client(getattr(world, case.user))
    outside = getattr(world, case.org[1])
    inside = getattr(world, case.org[0]) if case.org[0] else world.village
    bodies = {
        "merge": {"sources": [outside.pk], "target": inside.pk},
        "move": {"organization": outside.pk, "new_parent": inside.pk},
        "abolish": {"organization": outside.pk},
        "change-kind": {"organization": outside.pk, "kind": "general_branch"},
    }
    for operation, body in bodies.items():
        for preview in (True, False):
            response = client.post(
                reverse(f"restructuring-{operation}"),
                {"date": "2025-01-01", "preview": preview, **body},
                content_type="application/json",
            )
            assert response.status_code in (400, 403), (case.user, operation, response.status_code)
            if response.status_code == 400:
                assert "不在您的管理范围内" in response.content.decode()
    assert not Restructuring.objects.exists()
    assert Organization.objects.get(pk=outside.pk).abolished_date is None
    term = client.post(
        reverse("term-list"), {"organization": outside.pk, "start": "2025-01-01"}, content_type="application/json"
    )
    assert term.status_code in (400, 403), (case.user, term.status_code)
    assert not Term.objects.filter(organization=outside).exists()
    group = client.post(
        reverse("party-group-list"), {"organization": outside.pk, "name": "越界党小组"}, content_type="application/json"
    )
    assert group.status_code in (400, 403), (case.user, group.status_code)
    assert not PartyGroup.objects.filter(organization=outside).exists()
    report = client.get(reverse("structure-list"), {"organization": outside.pk})
    assert report.status_code in (403, 404), (case.user, report.status_code)
