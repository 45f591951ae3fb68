"""The rule table of intervals (发展党员时限规则): the active rows checked at a step and how a
row's problem is counted (refused when blocking, a warning when advisory), the rows shipped
with the regulations' values after every migrate, and the county's edits of a row."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied

from dangjian.core import scope
from dangjian.core.errors import ErrorCollector
from dangjian.core.history import service

from .. import rules
from ..models import IntervalRule


def active_rules(to_step: int) -> list[rules.Interval]:
    return [row.as_rule() for row in IntervalRule.objects.filter(to_step=to_step, active=True)]


def _apply(
    rule: rules.Interval,
    start: dt.date,
    end: dt.date,
    errors: ErrorCollector,
    warnings: list[str],
    field: str = "date",
) -> None:
    if problem := rules.interval_problem(rule, start, end):
        if rule.blocking:
            errors.add(field, problem)
        else:
            warnings.append(problem)


def ship_default_rules(using: str = "default", apps: Any = None, **_: Any) -> None:
    """The rows of ``rules.DEFAULT_INTERVALS`` missing from the rule table, put back; a row that is
    there (maybe edited by the county) is left as it is. Migrations 0002 and 0004 ship the rows;
    this runs after every ``migrate`` and after a flush (Django's post_migrate), so a database
    whose rows were flushed away (a transactional test) has its rule table again. ``apps``: the
    migrated state (a database migrated back to before the table, or its columns, is left alone)."""
    try:
        model = apps.get_model("development", "IntervalRule") if apps is not None else IntervalRule
    except LookupError:
        return
    columns = {"code", "kind", "from_step", "to_step", "at_least", "amount", "unit", "blocking", "source"}
    if not columns <= {f.name for f in model._meta.get_fields()}:
        return
    model.objects.using(using).bulk_create(
        [model(**{name: getattr(rule, name) for name in columns}) for rule in rules.DEFAULT_INTERVALS],
        ignore_conflicts=True,  # on the unique code: the county's edits stay
    )


@service
def set_rule(*, actor: Any, rule: IntervalRule, amount: int, blocking: bool, active: bool, source: str) -> IntervalRule:
    """The county (an 组织部管理员 acting from the top of the tree) edits a row of the rule table.
    ``source`` is what the rule's messages cite (《中国共产党发展党员工作细则》第十三条, 本县规定);
    left blank, they cite nothing."""
    acting = scope.require_role(actor, lambda role: role.writes_organizations, "修改发展党员时限规则")
    if acting.organization.depth != 1:
        raise PermissionDenied("发展党员时限规则由县级组织部统一设置")
    errors = ErrorCollector()
    if amount < 1:
        errors.add("amount", "数量应为正整数")
    errors.raise_if_any()
    rule = IntervalRule.objects.select_for_update().get(pk=rule.pk)
    rule.amount, rule.blocking, rule.active, rule.source = amount, blocking, active, source.strip()[:200]
    rule.save()
    return rule
