"""The shipped kinds of organizational life, the compliance rules of RULES.md §4 and the ratings
of the 民主评议党员 (RULES-2.md §2) (frozen here, as a migration must be; a county adds its
own rows afterwards)."""

from typing import Any

from django.db import migrations

# code, name, attendees, has_lecturer, needs_quorum
KINDS = [
    ("general_assembly", "支部党员大会", "roll", False, False),
    ("committee", "支部委员会", "committee", False, True),
    ("group", "党小组会", "group", False, False),
    ("lecture", "党课", "roll", True, False),
    ("theme_day", "主题党日", "roll", False, False),
    ("life_meeting", "组织生活会", "roll", False, False),
    ("review", "民主评议党员", "roll", False, False),
    ("talk", "谈心谈话", "chosen", False, False),
    ("other", "其他组织生活", "roll", False, False),
]

# Kinds one meeting may fulfil together (the relation is symmetrical): a 主题党日 held as a 党员大会
# with a 党课; a 组织生活会 held as a 党员大会, 支委会 or 党小组会 and combined with the 民主评议.
COMBINE = [
    ("theme_day", "general_assembly"),
    ("theme_day", "lecture"),
    ("theme_day", "group"),
    ("theme_day", "life_meeting"),
    ("theme_day", "review"),
    ("general_assembly", "lecture"),
    ("general_assembly", "life_meeting"),
    ("general_assembly", "review"),
    ("life_meeting", "committee"),
    ("life_meeting", "group"),
    ("life_meeting", "review"),
    ("group", "lecture"),
    ("group", "review"),
]

# code, name, capped, needs_approval, failing
RATINGS = [
    ("excellent", "优秀", True, True, False),
    ("qualified", "合格", False, False, False),
    ("basic", "基本合格", False, False, False),
    ("failed", "不合格", False, True, True),
]

SINCE = "2019-01-01"
# applies_to, kind, period, in_quarter, min_count, needs_committee, per_group, by_secretary, basis
RULES = [
    (
        "branch",
        "general_assembly",
        "quarter",
        None,
        1,
        False,
        False,
        False,
        "《中国共产党支部工作条例（试行）》第十一条：支部党员大会一般每季度召开1次",
    ),
    (
        "branch",
        "committee",
        "month",
        None,
        1,
        True,
        False,
        False,
        "《中国共产党支部工作条例（试行）》第十二条：支部委员会会议一般每月召开1次",
    ),
    (
        "branch",
        "group",
        "month",
        None,
        1,
        False,
        True,
        False,
        "《中国共产党支部工作条例（试行）》第十三条：党小组会一般每月召开1次",
    ),
    (
        "branch",
        "theme_day",
        "month",
        None,
        1,
        False,
        False,
        False,
        "《中国共产党党员教育管理工作条例》第十六条：党支部每月相对固定1天开展主题党日",
    ),
    ("branch", "lecture", "year", None, 4, False, False, False, "党课次数由县级党委组织部门规定（默认每季度1次）"),
    (
        "branch",
        "life_meeting",
        "year",
        4,
        1,
        False,
        False,
        False,
        "《中国共产党党员教育管理工作条例》第十七条：组织生活会一般每年召开1次",
    ),
    (
        "branch",
        "review",
        "year",
        None,
        1,
        False,
        False,
        False,
        "《中国共产党党员教育管理工作条例》第十八条：民主评议党员一般每年开展1次",
    ),
    (
        "branch",
        "talk",
        "year",
        None,
        1,
        False,
        False,
        False,
        "谈心谈话：支部委员之间、支部委员和党员之间、党员和党员之间每年至少1次",
    ),
    (
        "committee",
        "lecture",
        "year",
        None,
        1,
        False,
        False,
        True,
        "《中国共产党支部工作条例（试行）》第十六条：党委（党组）书记每年至少讲1次党课",
    ),
]


def forward(apps: Any, schema_editor: Any) -> None:
    Kind = apps.get_model("meetings", "MeetingKind")
    Rule = apps.get_model("meetings", "ComplianceRule")
    kinds = {}
    for order, (code, name, attendees, lecturer, quorum) in enumerate(KINDS, start=1):
        kinds[code], _ = Kind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "attendees": attendees,
                "has_lecturer": lecturer,
                "needs_quorum": quorum,
                "order": order,
            },
        )
    for one, other in COMBINE:
        kinds[one].combines_with.add(kinds[other])
    for applies_to, kind, period, quarter, count, committee, group, secretary, basis in RULES:
        Rule.objects.get_or_create(
            applies_to=applies_to,
            kind=kinds[kind],
            period=period,
            valid_from=SINCE,
            defaults={
                "in_quarter": quarter,
                "min_count": count,
                "needs_committee": committee,
                "per_group": group,
                "by_secretary": secretary,
                "basis": basis,
            },
        )

    Rating = apps.get_model("meetings", "ReviewRating")
    for order, (code, name, capped, approval, failing) in enumerate(RATINGS, start=1):
        Rating.objects.update_or_create(
            code=code,
            defaults={"name": name, "order": order, "capped": capped, "needs_approval": approval, "failing": failing},
        )


def backward(apps: Any, schema_editor: Any) -> None:
    apps.get_model("meetings", "ReviewRating").objects.filter(code__in=[r[0] for r in RATINGS]).delete()
    apps.get_model("meetings", "ComplianceRule").objects.filter(valid_from=SINCE).delete()
    # The shipped kinds, their pairings and any meeting's link to them, table by table: the deletion
    # collector would follow the kinds' relations through models that the unapplied later
    # migrations left rendered from another state.
    Kind = apps.get_model("meetings", "MeetingKind")
    kinds = Kind.objects.filter(code__in=[k[0] for k in KINDS])
    Kind.combines_with.through.objects.filter(from_meetingkind__in=kinds).delete()
    Kind.combines_with.through.objects.filter(to_meetingkind__in=kinds).delete()
    apps.get_model("meetings", "Meeting").kinds.through.objects.filter(meetingkind__in=kinds).delete()
    kinds._raw_delete(kinds.db)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
