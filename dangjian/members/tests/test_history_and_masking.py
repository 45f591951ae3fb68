"""Record history of members and organizations; ID numbers masked for roles that may not see them."""

from conftest import make_id_number
from dangjian.core.models import AuditEvent, Event
from dangjian.core.services import update_security_settings
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.orgs.services import update_organization


def test_a_member_history_says_who_changed_which_field_from_what_to_what(world):
    update_member(actor=world.branch_admin, member=world.lisi, name="李思源", education="bachelor")
    record = Member.history.filter(id=world.lisi.pk).order_by("-history_id").first()
    assert record.history_user == world.branch_admin
    page = world.client(world.town_admin).get(f"/members/{world.lisi.pk}/history/")
    latest = page.context["entries"][0]
    assert latest.user == world.branch_admin
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes == {"姓名": ("李四", "李思源"), "学历": ("高中、中技", "大学本科")}
    assert page.context["entries"][-1].kind == "创建"


def test_id_numbers_in_the_history_stay_masked(world):
    old = world.lisi.id_number
    new = make_id_number("1972-05-20", male=True, sequence=90)
    update_member(actor=world.branch_admin, member=world.lisi, id_number=new)
    body = world.client(world.branch_admin).get(f"/members/{world.lisi.pk}/history/").content.decode()
    assert old not in body
    assert new not in body
    assert new[:4] + "**********" + new[-4:] in body


def test_an_organization_history_records_the_actor_of_a_service(world):
    update_organization(actor=world.town_admin, organization=world.village, short_name="兴丰村党支部")
    entry = world.client(world.county_admin).get(f"/orgs/{world.village.pk}/history/").context["entries"][0]
    assert entry.user == world.town_admin
    assert [(c.field, c.new) for c in entry.changes] == [("简称", "兴丰村党支部")]


def test_roles_the_security_admin_bars_see_id_numbers_masked_everywhere(world):
    update_security_settings(actor=world.security_admin, branch_admin_reveals_id=False)
    client = world.client(world.branch_admin)
    number = world.lisi.id_number
    assert number not in client.get("/members/").content.decode()
    detail = client.get(f"/members/{world.lisi.pk}/").content.decode()
    assert number not in detail
    assert "显示完整号码" not in detail
    assert client.post(f"/members/{world.lisi.pk}/reveal/").status_code == 403
    assert client.post(f"/api/v1/members/{world.lisi.pk}/reveal/").status_code == 403
    assert number not in client.get(f"/api/v1/members/{world.lisi.pk}/").content.decode()
    assert number not in client.get("/api/v1/members/").content.decode()
    assert not AuditEvent.objects.filter(event=Event.REVEAL).exists()
    assert AuditEvent.objects.filter(event=Event.PERMISSION_DENIED, actor=world.branch_admin).count() == 2
    # The town's administrators keep the right; the member keeps it for their own number.
    assert number in world.client(world.town_admin).post(f"/members/{world.lisi.pk}/reveal/").content.decode()
    own = world.client(world.member_user).post(f"/members/{world.zhangsan.pk}/reveal/")
    assert world.zhangsan.id_number in own.content.decode()
