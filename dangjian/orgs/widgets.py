from typing import Any

from django import forms
from django.urls import reverse

from dangjian.core.forms import posted_id


class OrganizationPicker(forms.HiddenInput):
    """Choose an organization by typing part of its name.

    A <select> of every organization in scope is unusable (and megabytes of HTML) for a county with
    thousands of branches; this sends the typed text to ``orgs:pick``, which answers with at most
    twenty in-scope matches. The label of the current value is looked up in the field's own
    (scoped) queryset, so a tampered id shows nothing rather than a name outside the scope.
    """

    template_name = "orgs/widgets/organization_picker.html"

    def __init__(
        self, *, holders_only: bool = False, submit_on_pick: bool = False, anywhere: bool = False, attrs: Any = None
    ):
        super().__init__(attrs)
        self.holders_only = holders_only
        self.submit_on_pick = submit_on_pick
        self.anywhere = anywhere  # a transfer's destination: any receiving organization of the tree

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        pk = posted_id(value)
        chosen = queryset.filter(pk=pk).first() if pk is not None and queryset is not None else None
        if self.anywhere:
            pick_url = reverse("orgs:destination_pick")
        else:
            pick_url = reverse("orgs:pick") + ("?holders=1" if self.holders_only else "")
        context["widget"].update(
            label=chosen.name if chosen else "",
            pick_url=pick_url,
            submit_on_pick=self.submit_on_pick,
        )
        return context
