"""The demo county's organizational life (组织生活) of last year and this year: most branches keep
to the rules (主题党日 every month, a 支部党员大会 each quarter, 党课 each quarter, a 支委会 each month
where there is a committee, each party group's meeting, the 组织生活会 and 民主评议 in December),
some let things slip, a few lag badly; a few records are back-filled; the attendance of the last
six months is marked, with leave and absences, and one member of the demo branch has missed every
meeting since (the six-month list shows him).

Written in bulk after the stories have run (the roll of today: the transfers are done), as a
county's first import of its paper ledgers would be; the rules of the services hold for every row
(nothing dated after today, a 支委会 counted only with more than half of its members present)."""

import datetime as dt
import io
from collections import defaultdict
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from PIL import Image, ImageDraw

from dangjian.core.dates import add_months
from dangjian.elections.models import Officer
from dangjian.meetings import attachments, tally
from dangjian.meetings.compliance import with_committee
from dangjian.meetings.models import (
    Attendance,
    Meeting,
    MeetingKind,
    Presence,
    Review,
    ReviewEntry,
    ReviewRating,
    Standing,
)
from dangjian.members.models import Category, Member, PartyGroup, Status
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

from .activity import Cast

LEAVE_REASONS = ("外出务工", "身体原因请假", "值班", "走亲访友", "照顾家人")
PLACES = ("党员活动室", "村民服务中心会议室", "党群服务中心", "新时代文明实践站")
THEMES = (
    "学习贯彻党的二十大精神",
    "学习《中国共产党章程》",
    "乡村振兴工作推进",
    "人居环境整治志愿服务",
    "防汛备汛工作部署",
    "学习《中国共产党纪律处分条例》",
    "秋冬季安全生产专题学习",
    "产业发展座谈",
)


def write(cast: Cast) -> int:
    """Write the meetings; returns how many."""
    rng = cast.rng
    today = cast.today
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    branches = list(
        Organization.objects.filter(
            path__startswith=cast.root.path, kind__in=BRANCH_LEVEL_KINDS, deleted_at__isnull=True
        ).filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=today))
    )
    committees = with_committee(cast.root.path, today)
    groups: dict[int, list[PartyGroup]] = defaultdict(list)
    for group in PartyGroup.objects.filter(organization__in=branches, dissolved_date__isnull=True):
        groups[group.organization_id].append(group)
    planned: list[tuple[Meeting, list[str]]] = []
    for branch in branches:
        diligence = rng.choices((0.997, 0.9, 0.6), weights=(72, 20, 8))[0]
        author = cast.writer_of(branch)
        start = max(dt.date(today.year - 1, 1, 1), branch.founded_date or dt.date.min)

        def add(
            day: dt.date,
            codes: list[str],
            topic: str,
            group: PartyGroup | None = None,
            *,
            branch: Organization = branch,
            start: dt.date = start,
            diligence: float = diligence,
            author: Any = author,
        ) -> None:
            if day < start or day >= today or rng.random() > diligence:
                return
            late = rng.random() < 0.03
            entered = min(day + dt.timedelta(days=rng.randint(12, 40) if late else rng.randint(0, 3)), today)
            meeting = Meeting(
                organization=branch,
                org_path=branch.path,
                party_group=group,
                held_on=day,
                starts_at=dt.time(rng.choice((9, 14, 19)), 30 if rng.random() < 0.3 else 0),
                place=rng.choice(PLACES),
                topic=topic,
                host=None,
                entered_on=entered,
                backfilled=(entered - day).days > 7,
                quorum_met=True if "committee" in codes else None,
                lecturer="支部书记" if "lecture" in codes else "",
                lecturer_post="支部书记" if "lecture" in codes else "",
                content=f"{topic}。",
                created_by=author,
            )
            planned.append((meeting, codes))

        for year in (today.year - 1, today.year):
            for month in range(1, 13):
                first = dt.date(year, month, 1)
                if first >= today:
                    break
                theme = rng.choice(THEMES)
                codes = ["theme_day"]
                if month % 3 == 0:
                    codes.append("general_assembly")
                if month % 3 == 2:
                    codes.append("lecture")
                add(first + dt.timedelta(days=rng.randint(4, 14)), codes, f"主题党日：{theme}")
                if branch.pk in committees:
                    add(
                        first + dt.timedelta(days=rng.randint(0, 3)),
                        ["committee"],
                        f"支部委员会会议：研究{month}月工作",
                    )
                for group in groups.get(branch.pk, []):
                    add(first + dt.timedelta(days=rng.randint(15, 24)), ["group"], f"{group.name}学习会", group)
            if dt.date(year, 12, 20) < today:
                add(
                    dt.date(year, 12, rng.randint(15, 28)),
                    ["life_meeting", "review", "general_assembly"],
                    f"{year}年度组织生活会和民主评议党员",
                )
                add(dt.date(year, 11, rng.randint(3, 26)), ["talk"], f"{year}年度谈心谈话")
    _committee_meetings(cast, planned)
    Meeting.objects.bulk_create([m for m, _ in planned], batch_size=2000)
    Through = Meeting.kinds.through
    Through.objects.bulk_create(
        [Through(meeting_id=m.pk, meetingkind_id=kinds[code].pk) for m, codes in planned for code in codes],
        batch_size=5000,
    )
    _attendance(cast, [m for m, codes in planned if "talk" not in codes])
    _reviews(cast, [m for m, codes in planned if "review" in codes and m.held_on.year == cast.today.year - 1])
    _photos(cast, [m for m, _ in planned if m.organization_id == cast.login_branch.pk])
    tally.rebuild()  # written in bulk, past the services that keep the month tally
    return len(planned)


def _committee_meetings(cast: Cast, planned: list[tuple[Meeting, list[str]]]) -> None:
    """The committees and 党总支 meet every month too (党委会议, 总支委员会会议: 其他组织生活): a
    county whose committees never met would show each of them as silent (静默) in every inbox."""
    rng, today = cast.rng, cast.today
    above = Organization.objects.filter(path__startswith=cast.root.path, deleted_at__isnull=True).exclude(
        kind__in=BRANCH_LEVEL_KINDS
    )
    for organization in above.filter(Q(abolished_date__isnull=True) | Q(abolished_date__gt=today)):
        start = max(dt.date(today.year - 1, 1, 1), organization.founded_date or dt.date.min)
        author = cast.writer_of(organization)
        for year in (today.year - 1, today.year):
            for month in range(1, 13):
                day = dt.date(year, month, rng.randint(2, 12))
                if day < start or day >= today or rng.random() > 0.97:
                    continue
                topic = f"{organization.display_name}会议：研究{month}月工作"
                meeting = Meeting(
                    organization=organization,
                    org_path=organization.path,
                    held_on=day,
                    starts_at=dt.time(rng.choice((9, 15))),
                    place=rng.choice(PLACES),
                    topic=topic,
                    entered_on=min(day + dt.timedelta(days=rng.randint(0, 3)), today),
                    content=f"{topic}。",
                    created_by=author,
                )
                planned.append((meeting, ["other"]))


def _photos(cast: Cast, meetings: list[Meeting]) -> None:
    """A photo (drawn here: a meeting room's colours) for the demo branch's last three meetings."""
    for index, meeting in enumerate(sorted(meetings, key=lambda m: m.held_on)[-3:]):
        image = Image.new("RGB", (960, 640), (236, 230, 220))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 960, 120), fill=(178, 24, 30))  # the banner above the table
        draw.rectangle((120, 380, 840, 460), fill=(120, 84, 52))  # the table
        for seat in range(6):
            x = 150 + seat * 120 + index * 8
            draw.ellipse((x, 300, x + 60, 360), fill=(60, 60, 70))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        upload = SimpleUploadedFile(f"会议照片{meeting.held_on:%Y%m%d}.jpg", out.getvalue(), content_type="image/jpeg")
        attachments.add_attachment(actor=meeting.created_by, meeting=meeting, upload=upload)


def _reviews(cast: Cast, meetings: list[Meeting]) -> None:
    """Last year's 民主评议党员 where it was held: about a fifth 优秀 (within the third), a few
    基本合格, none 不合格 (the demo's follow-up is left to be tried by hand)."""
    rng = cast.rng
    ratings = {r.code: r for r in ReviewRating.objects.all()}
    reviews = [
        Review(
            organization_id=m.organization_id,
            org_path=m.org_path,
            year=m.held_on.year,
            meeting=m,
            opened_on=m.held_on,
            created_by=m.created_by,
        )
        for m in meetings
    ]
    Review.objects.bulk_create(reviews)
    members: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(
        organization_id__in={r.organization_id for r in reviews}, status=Status.NORMAL, deleted_at__isnull=True
    ).only("id", "organization_id", "category"):
        members[member.organization_id].append(member)
    entries = []
    for review in reviews:
        people = members[review.organization_id]
        rated = [m for m in people if m.category == Category.FULL]
        excellent = set(rng.sample([m.pk for m in rated], len(rated) // 5))
        for member in people:
            if member.category != Category.FULL:
                entries.append(ReviewEntry(review=review, member=member, rated=False))
                continue
            code = "excellent" if member.pk in excellent else ("basic" if rng.random() < 0.03 else "qualified")
            votes = len(rated)
            top = rng.randint(votes // 2, votes) if code == "excellent" else rng.randint(0, votes // 4)
            tally = {"excellent": top, "qualified": votes - top} if votes else {}
            approval = True if ratings[code].needs_approval else None
            entries.append(
                ReviewEntry(
                    review=review, member=member, rated=True, tally=tally, rating=ratings[code], approval=approval
                )
            )
    ReviewEntry.objects.bulk_create(entries, batch_size=5000)


def _attendance(cast: Cast, meetings: list[Meeting]) -> None:
    """The attendance of the last six months (the roll of today), one member of the demo branch
    absent from every meeting."""
    rng = cast.rng
    since = add_months(cast.today, -6)
    recent = [m for m in meetings if m.held_on >= since]
    roll: dict[int, list[Member]] = defaultdict(list)
    on_roll = [s for s in Status if s.is_on_roll]
    for member in Member.objects.filter(
        organization_id__in={m.organization_id for m in recent}, status__in=on_roll, deleted_at__isnull=True
    ).only("id", "organization_id", "category", "party_group_id", "joined_date"):
        roll[member.organization_id].append(member)
    absentee = next(
        (m for m in roll.get(cast.login_branch.pk, []) if m.category == Category.FULL and m.pk not in cast.used), None
    )
    officers: dict[int, list[int]] = defaultdict(list)
    for org, officer in Officer.objects.filter(term__actual_end__isnull=True, until__isnull=True).values_list(
        "term__organization_id", "member_id"
    ):
        officers[org].append(officer)
    rows = []
    for meeting in recent:
        if meeting.quorum_met is not None:
            people = [m for m in roll[meeting.organization_id] if m.pk in set(officers[meeting.organization_id])]
        elif meeting.party_group_id:
            people = [m for m in roll[meeting.organization_id] if m.party_group_id == meeting.party_group_id]
        else:
            people = roll[meeting.organization_id]
        for member in people:
            if member.joined_date > meeting.held_on:
                continue
            draw = rng.random()
            presence, reason = Presence.PRESENT, ""
            if absentee is not None and member.pk == absentee.pk:
                presence = Presence.ABSENT
            elif draw < 0.07:
                presence, reason = Presence.LEAVE, rng.choice(LEAVE_REASONS)
            elif draw < 0.10:
                presence = Presence.ABSENT
            standing = Standing.VOTING if member.category == Category.FULL else Standing.PROBATIONARY
            rows.append(Attendance(meeting=meeting, member=member, standing=standing, presence=presence, reason=reason))
    Attendance.objects.bulk_create(rows, batch_size=5000)
