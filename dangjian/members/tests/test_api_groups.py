"""/api/v1/party-groups/: the page's operations on 党小组, with the same refusals."""

import datetime as dt

from django.utils import timezone

from dangjian.members.models import Member, PartyGroup


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def names(group_body):
    return [m["name"] for m in group_body["members"]]


def test_groups_are_set_up_regrouped_and_dissolved_through_the_api(world):
    client = world.client(world.branch_admin)
    both = [world.zhangsan.pk, world.lisi.pk]
    first = post(
        client,
        "/api/v1/party-groups/",
        {"organization": world.village.pk, "name": "第一党小组", "members": both, "leader": world.zhangsan.pk},
    )
    assert first.status_code == 201, first.content
    assert (names(first.json()), first.json()["leader_name"]) == (["李四", "张三"], "张三")  # by pinyin
    # A member is in one group at most: joining the second takes 李四 out of the first.
    second = post(
        client,
        "/api/v1/party-groups/",
        {"organization": world.village.pk, "name": "第二党小组", "members": [world.lisi.pk]},
    )
    assert second.status_code == 201, second.content
    first_url = f"/api/v1/party-groups/{first.json()['id']}/"
    assert names(client.get(first_url).json()) == ["张三"]

    renamed = client.patch(first_url, {"name": "东片党小组"}, content_type="application/json")
    assert (renamed.status_code, renamed.json()["name"], names(renamed.json())) == (200, "东片党小组", ["张三"])
    not_a_member = client.patch(first_url, {"leader": world.lisi.pk}, content_type="application/json")
    assert not_a_member.json() == {"leader": ["党小组长应是该党小组的党员"]}
    moved = client.patch(first_url, {"organization": world.community.pk}, content_type="application/json")
    assert moved.status_code == 400 and "organization" in moved.json()

    second_url = f"/api/v1/party-groups/{second.json()['id']}/"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert post(client, second_url + "dissolve/", {"date": tomorrow.isoformat()}).json() == {
        "date": ["日期不能晚于今天"]
    }
    assert post(client, second_url + "dissolve/", {"date": timezone.localdate().isoformat()}).status_code == 204
    listed = client.get("/api/v1/party-groups/", {"organization": world.village.pk}).json()["results"]
    assert [g["name"] for g in listed] == ["东片党小组"]
    assert Member.objects.get(pk=world.lisi.pk).party_group is None
    assert client.get(second_url).status_code == 404  # dissolved groups are history, not live rows


def test_bad_group_input_is_refused_field_by_field_and_nothing_is_written(world):
    client = world.client(world.branch_admin)
    url = "/api/v1/party-groups/"
    missing = post(client, url, {"members": [world.zhangsan.pk]})
    assert missing.json() == {"organization": ["请指定所在党支部"], "name": ["请填写党小组名称"]}
    # 王芳 is in another branch, 赵六 outside this secretary's scope: neither can join.
    for stranger in (world.wangfang, world.zhaoliu):
        refused = post(client, url, {"organization": world.village.pk, "name": "第一党小组", "members": [stranger.pk]})
        assert refused.status_code == 400
        assert refused.json() == {"members": ["有1名所选党员不是“中共兴丰村支部委员会”的在册党员"]}
    outside = post(client, url, {"organization": world.community.pk, "name": "第一党小组"})
    assert "不存在或不在您的管理范围内" in outside.json()["organization"][0]
    PartyGroup.objects.create(organization=world.village, name="第一党小组")
    taken = post(client, url, {"organization": world.village.pk, "name": "第一党小组"})
    assert taken.json() == {"name": ["“中共兴丰村支部委员会”已有党小组“第一党小组”"]}
    assert PartyGroup.objects.count() == 1
    assert not Member.objects.filter(party_group__isnull=False).exists()


def test_a_member_reads_only_their_own_group_and_changes_nothing(world):
    own = PartyGroup.objects.create(organization=world.village, name="第一党小组")
    other = PartyGroup.objects.create(organization=world.village, name="第二党小组")
    Member.objects.filter(pk__in=[world.zhangsan.pk, world.lisi.pk]).update(party_group=own)
    client = world.client(world.member_user)
    [listed] = client.get("/api/v1/party-groups/").json()["results"]
    assert (listed["name"], names(listed)) == ("第一党小组", ["张三"])  # not 李四's record: only their own
    assert client.get(f"/api/v1/party-groups/{other.pk}/").status_code == 404
    renamed = client.patch(f"/api/v1/party-groups/{own.pk}/", {"name": "改名"}, content_type="application/json")
    assert renamed.status_code == 403
    assert PartyGroup.objects.get(pk=own.pk).name == "第一党小组"
