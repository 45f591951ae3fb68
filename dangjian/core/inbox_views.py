"""The inbox pages (待办事项): the acting organization's items grouped by source and kind, and
dismissing one with its reason. Thin: read through ``core.inbox`` (always scoped), call its
service, show its Chinese message on the field it names."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from . import inbox, scope
from .errors import DomainError
from .forms import StyledForm
from .models import InboxItem, InboxState

PER_PAGE = 50
HOME_ITEMS = 5  # overdue items on the home page's card


@dataclass(frozen=True)
class Row:
    """An item as the list shows it: how late, or how soon."""

    item: InboxItem
    label: str  # the source's
    overdue: int  # days past the deadline (0: not overdue)
    left: int  # days to the deadline (0: today or past)

    @classmethod
    def of(cls, item: InboxItem, today: dt.date) -> "Row":
        overdue, left = inbox.days_overdue(item, today), max((item.due - today).days, 0)
        return cls(item, inbox.source_label(item.source), overdue, left)


def inbox_list(request: HttpRequest) -> HttpResponse:
    """待办事项: open, done or dismissed items, counted by source and kind, the overdue first."""
    acting = scope.require_role(request.user, lambda role: role.reads_members, "查看待办事项")
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in InboxState.values else InboxState.OPEN
    groups = inbox.groups(request.user, state=state, today=today)
    # Only a source or kind that is there filters: anything else typed into the address is ignored.
    source = next((g for g in groups if g.source == request.GET.get("source")), None)
    kinds = source.kinds if source is not None else [k for g in groups for k in g.kinds]
    kind = request.GET.get("kind") if any(k.kind == request.GET.get("kind") for k in kinds) else None
    rows = inbox.items_for(request.user, state=state, source=source.source if source else None, kind=kind)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    open_count = sum(g.count for g in groups) if state == InboxState.OPEN else inbox.items_for(request.user).count()
    return render(
        request,
        "core/inbox.html",
        {
            "organization": acting.organization,
            "states": [(value, label) for value, label in InboxState.choices],
            "state": state,
            "open_count": open_count,
            "groups": groups,
            "source": source,
            "kind": kind,
            "page": page,
            "rows": [Row.of(item, today) for item in page],
            "may_dismiss": scope.role_allows(request.user, lambda role: role.writes_members),
        },
    )


class DismissForm(StyledForm):
    # Not required here: the service refuses an empty reason with its own words (the API's too).
    reason = forms.CharField(
        label="忽略理由",
        max_length=inbox.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="说明为何此事项无需办理（如已线下办结、情况已变化），上级组织可以看到",
    )


def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """忽略一项待办: the item and the form for the reason; outside the scope 404, as if missing."""
    item = inbox.get_item(request.user, pk)
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inbox.dismiss_item(actor=request.user, item=item, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "已忽略该事项")
            return redirect("inbox:list")
    return render(
        request,
        "core/inbox_dismiss.html",
        {
            "item": item,
            "row": Row.of(item, timezone.localdate()),
            "form": form,
            "may_dismiss": item.state == InboxState.OPEN
            and scope.may_change(request.user, lambda role: role.writes_members, item),
        },
    )


def home_card(user: object) -> dict[str, object] | None:
    """What the home page's 待办事项 card shows: the counts by group and the first overdue items."""
    if not scope.role_allows(user, lambda role: role.reads_members):
        return None
    today = timezone.localdate()
    groups = inbox.groups(user, today=today)
    return {
        "groups": groups,
        "total": sum(g.count for g in groups),
        "overdue": sum(g.overdue for g in groups),
        "rows": [Row.of(item, today) for item in inbox.overdue_first(user, HOME_ITEMS, today)],
    }
