"""The one member picker (选择党员): wherever a person is chosen, the user types part of a name,
its pinyin or initials, or the end of the ID number, and picks from at most twenty members of
their scope, each shown with the organization holding them and the masked ID number (two 张伟
are told apart). A drop-down of every member in scope (thousands of options) is never rendered.

The widgets send what is typed to ``members:pick``, which reads through the scope like every
other list. What a form accepts is still decided by the field's own queryset (scoped, and
narrowed to who may be chosen there): the picker only finds; ``within``/``roll``/``full`` narrow
the suggestions the same way so that what is offered can also be taken.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.core import scope
from dangjian.core.forms import posted_id
from dangjian.orgs.models import Organization

from .filters import search_members
from .models import Category, Member, Status

LIMIT = 20

# Who may be chosen for a purpose an upper app knows (an officer: no one under 留党察看): the app
# registers how it narrows the members (request, members) in its AppConfig.ready; the picker
# then offers only those, and the form's queryset, narrowed the same way, takes only those.
Narrowing = Callable[[HttpRequest, QuerySet[Member]], QuerySet[Member]]
_PURPOSES: dict[str, Narrowing] = {}


def register_purpose(name: str, narrow: Narrowing) -> None:
    _PURPOSES[name] = narrow


def member_pick(request: HttpRequest) -> HttpResponse:
    """Up to twenty members of the caller's scope matching the typed text."""
    query = request.GET.get("pick", "").strip()[:50]
    members = Member.objects.none()
    if query:
        members = search_members(_narrowed(request, scope.scoped(request.user, Member.objects.all())), query)
    found = list(members.select_related("organization").order_by("name_pinyin", "pk")[:LIMIT])
    # Within one organization its name would repeat on every line: the number tells namesakes apart.
    within = posted_id(request.GET.get("within")) is not None
    results = [(member, label(member, within=within)) for member in found]
    return render(
        request, "members/_pick_results.html", {"members": found, "results": results, "query": query, "within": within}
    )


def _narrowed(request: HttpRequest, members: QuerySet[Member]) -> QuerySet[Member]:
    if within := posted_id(request.GET.get("within")):
        members = members.filter(organization_id=within)
    if under := posted_id(request.GET.get("under")):  # the organization's whole subtree, as far as it is in scope
        top = scope.scoped(request.user, Organization.objects.filter(pk=under)).first()
        members = members.filter(org_path__startswith=top.path) if top is not None else members.none()
    if narrow := _PURPOSES.get(request.GET.get("purpose", "")):
        members = narrow(request, members)
    if request.GET.get("roll"):
        members = members.filter(status__in=[status for status in Status if status.is_on_roll])
    if request.GET.get("full"):
        members = members.filter(category=Category.FULL)
    return members


def label(member: Member, *, within: bool = False) -> str:
    """How a chosen member reads in the picker: the name, then what tells namesakes apart (the
    organization too, unless the picker is within one)."""
    if within:
        return f"{member.name}（{member.masked_id_number}）"
    return f"{member.name}（{member.organization.name} · {member.masked_id_number}）"


class _Picking:
    """What both pickers share: where to search, and the labels of what is chosen already (looked
    up in the field's own scoped queryset, so a tampered id shows nothing)."""

    template_name = ""

    def __init__(
        self,
        *,
        within: Any = None,
        under: Any = None,
        roll: bool = True,
        full: bool = False,
        purpose: str = "",
        extra: dict[str, Any] | None = None,
        attrs: Any = None,
    ):
        super().__init__(attrs)  # type: ignore[call-arg]
        params: dict[str, Any] = {
            "within": getattr(within, "pk", within) or "",
            "under": getattr(under, "pk", under) or "",
        }
        params |= {"roll": "1" if roll else "", "full": "1" if full else "", "purpose": purpose, **(extra or {})}
        self.params = {key: value for key, value in params.items() if value}

    @property
    def pick_url(self) -> str:  # reversed when rendered: fields are declared before the URLs are loaded
        return f"{reverse('members:pick')}?{urlencode(self.params)}"

    def chosen(self, values: list[Any]) -> list[Member]:
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        ids = [pk for value in values if (pk := posted_id(value)) is not None]  # a tampered value: nothing
        if queryset is None or not ids:
            return []
        return list(queryset.filter(pk__in=ids).select_related("organization"))

    def label(self, member: Member) -> str:
        return label(member, within="within" in self.params)


class MemberPicker(_Picking, forms.HiddenInput):
    """Choose one member (a ModelChoiceField's widget)."""

    template_name = "members/widgets/member_picker.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = self.chosen([value] if value not in (None, "") else [])
        context["widget"].update(label=self.label(chosen[0]) if chosen else "", pick_url=self.pick_url)
        return context


class MembersPicker(_Picking, forms.MultipleHiddenInput):
    """Choose several members (a ModelMultipleChoiceField's widget): each shown as a chip."""

    template_name = "members/widgets/members_picker.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = self.chosen(list(value or []))
        context["widget"].update(chosen=[(m.pk, self.label(m)) for m in chosen], pick_url=self.pick_url)
        return context
