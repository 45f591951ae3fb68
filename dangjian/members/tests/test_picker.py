"""The member picker: finds by name, pinyin, initials, the ID number's tail; shows the branch and
the masked number; the chosen shown again after a refusal, and nothing for an id outside the scope."""

from django import forms
from django.urls import reverse

from dangjian.core import scope
from dangjian.members.models import Member
from dangjian.members.picker import MemberPicker, MembersPicker


def found(client, text, **params):
    return list(client.get(reverse("members:pick"), {"pick": text, **params}).context["members"])


def test_it_finds_by_every_key_a_secretary_knows(world):
    client = world.client(world.branch_admin)
    lisi = world.lisi
    for text in ("李四", "lisi", "ls", lisi.id_number[-4:], lisi.id_number[-6:]):
        assert lisi in found(client, text), text


def test_namesakes_are_told_apart_by_branch_and_masked_number(world):
    Member.objects.filter(pk=world.wangfang.pk).update(name="李四")  # a namesake in another branch
    body = world.client(world.town_admin).get(reverse("members:pick"), {"pick": "李四"}).content.decode()
    assert body.count('data-pick-id="') == 2
    assert world.village.name in body and world.community.name in body
    assert world.lisi.masked_id_number in body and world.lisi.id_number not in body


def test_suggestions_narrow_as_the_field_does(world):
    client = world.client(world.town_admin)
    assert found(client, "wangfang", within=world.village.pk) == []
    assert found(client, "wangfang", within=world.community.pk) == [world.wangfang]
    Member.objects.filter(pk=world.lisi.pk).update(category="probationary", regularized_date=None)
    assert found(client, "lisi", full="1") == []


def field_form(user, widget, multiple=False):
    members = scope.scoped(user, Member.objects.all())
    kind = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField

    class Form(forms.Form):
        member = kind(queryset=members, widget=widget)

    return Form


def test_the_chosen_member_is_shown_again_and_an_id_outside_shows_nothing(world):
    Form = field_form(world.branch_admin, MemberPicker())
    assert "李四（中共兴丰村支部委员会" in str(Form(data={"member": world.lisi.pk})["member"])
    assert world.zhaoliu.name not in str(Form(data={"member": world.zhaoliu.pk})["member"])
    Several = field_form(world.branch_admin, MembersPicker(), multiple=True)
    rendered = str(Several(data={"member": [world.lisi.pk, world.zhangsan.pk, world.zhaoliu.pk]})["member"])
    assert rendered.count("picker-chip") == 2 and world.zhaoliu.name not in rendered
