"""The pages: start a transfer, act on it from its page, the inbox tabs."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from dangjian.members.models import Member
from dangjian.orgs.forms import OrganizationForm
from dangjian.transfers.models import Transfer, TransferState


def test_a_transfer_from_the_pages(world):
    branch, town, other = (world.client(u) for u in (world.branch_admin, world.town_admin, world.other_admin))
    page = branch.post(
        reverse("transfers:new"),
        {"member": world.zhangsan.pk, "to_org": world.enterprise.pk, "reason": "工作调动"},
    )
    transfer = Transfer.objects.get()
    assert page.status_code == 302 and page.url == reverse("transfers:detail", args=[transfer.pk])
    inbox = town.get(reverse("transfers:inbox")).content.decode()
    assert 'data-testid="count-approvals">1<' in inbox and "张三" in inbox
    detail = town.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    assert 'data-testid="action-approve"' in detail
    assert (
        'data-testid="action-approve"'
        not in branch.get(reverse("transfers:detail", args=[transfer.pk])).content.decode()
    )
    act = reverse("transfers:act", args=[transfer.pk])
    assert town.post(act, {"action": "approve"}).status_code == 302
    today = timezone.localdate().isoformat()
    town.post(act, {"action": "issue", "valid_days": "30", "dues_paid_through": today, "date": today})
    refused = other.post(act, {"action": "return", "reason": ""})
    assert refused.status_code == 400 and "退回时请写明理由" in refused.content.decode()
    assert other.post(act, {"action": "accept", "date": today}).status_code == 302
    assert Transfer.objects.get().state == TransferState.ACCEPTED
    assert Member.objects.get(pk=world.zhangsan.pk).organization == world.enterprise
    twice = other.post(act, {"action": "accept", "date": today})
    assert twice.status_code == 400 and "不能再次办理" in twice.content.decode()


def test_an_unknown_destination_is_said_so(world):
    page = world.client(world.branch_admin).post(
        reverse("transfers:new"), {"member": world.zhangsan.pk, "to_org": 999_999, "reason": "x"}
    )
    assert "所选转入党组织不存在或不能接收党员" in page.content.decode()
    assert not Transfer.objects.exists()


def test_a_destination_left_out_is_said_under_its_field(world):
    page = world.client(world.branch_admin).post(reverse("transfers:new"), {"member": world.zhangsan.pk, "reason": "x"})
    assert '<div class="invalid-feedback d-block" data-field="to_org">请选择转入的党组织' in page.content.decode()


def test_a_receipt_page_for_an_unknown_number(world):
    page = world.client(world.town_admin).post(
        reverse("transfers:receipt"), {"letter_number": "X-1", "date": timezone.localdate().isoformat()}
    )
    assert "未找到编号为“X-1”的介绍信" in page.content.decode()


def test_mobile_member_pages(world):
    from dangjian.transfers.models import MobileMember

    branch = world.client(world.branch_admin)
    today = timezone.localdate().isoformat()
    created = branch.post(
        reverse("transfers:mobile_new"),
        {
            "member": world.lisi.pk,
            "destination": "浙江省杭州市",
            "reason": "务工",
            "contact": "微信 lisi",
            "expected_months": "10",
            "left_date": today,
            "certificate_number": "HN-001",
        },
    )
    record = MobileMember.objects.get()
    assert created.status_code == 302 and created.url == reverse("transfers:mobile_detail", args=[record.pk])
    inflow = world.client(world.other_admin).post(
        reverse("transfers:mobile_inflow"), {"organization": world.enterprise.pk, "certificate_number": "HN-001"}
    )
    assert inflow.status_code == 302
    listed = world.client(world.other_admin).get(reverse("transfers:mobile"), {"side": "in"}).content.decode()
    assert "李四" in listed and "没有表决权" in listed
    bad = branch.post(reverse("transfers:mobile_detail", args=[record.pk]), {"action": "return", "date": "2000-01-01"})
    assert bad.status_code == 400 and "返回日期不能早于外出日期" in bad.content.decode()
    back = branch.post(reverse("transfers:mobile_detail", args=[record.pk]), {"action": "return", "date": today})
    assert back.status_code == 302
    assert Member.objects.get(pk=world.lisi.pk).status == "normal"


def _form(page: str, key: str) -> str:
    """The HTML of one step's form on a transfer's page."""
    start = page.index(f'data-testid="form-{key}"')
    return page[start : page.index("</form>", start)]


def _inputs(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)) - {"csrfmiddlewaretoken", "action"}


def test_each_step_shows_only_its_own_fields(world, make_issued):
    from dangjian.transfers import services

    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="工作调动"
    )
    url = reverse("transfers:detail", args=[transfer.pk])
    town = world.client(world.town_admin)
    page = town.get(url).content.decode()
    assert _inputs(_form(page, "approve")) == {"reason"} and _inputs(_form(page, "reject")) == {"reason"}
    assert _inputs(_form(page, "cancel")) == {"reason"}
    assert "dues_paid_through" not in page and "valid_days" not in page
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    page = town.get(url).content.decode()
    assert _inputs(_form(page, "issue")) == {"date", "valid_days", "dues_paid_through"}
    assert 'type="month"' in _form(page, "issue")  # the dues are paid through a month, not a day
    # Issued, with dues paid through an earlier month than the current one: the receiving side
    # sees the letter's month, read only, and no field that could say otherwise.
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=40)
    services.issue_letter(actor=world.town_admin, transfer=transfer, valid_days=30, dues_paid_through=month)
    page = world.client(world.other_admin).get(url).content.decode()
    assert _inputs(_form(page, "accept")) == {"date"} and _inputs(_form(page, "return")) == {"reason"}
    assert f'data-testid="accept-dues">{month.year}年{month.month}月<' in page
    assert "dues_paid_through" not in page
    page = town.get(url).content.decode()
    assert _inputs(_form(page, "reissue")) == {"valid_days", "dues_paid_through", "reason"}
    assert f'value="{month:%Y-%m}"' in _form(page, "reissue")  # the letter's month to start from
    assert "action-accept" not in page  # the sending side does not receive


def test_a_refused_step_keeps_what_was_typed_and_opens_where_it_failed(world):
    from dangjian.transfers import services

    transfer = services.request_transfer(
        actor=world.branch_admin, member=world.zhangsan, to_org=world.enterprise, reason="工作调动"
    )
    services.approve_transfer(actor=world.town_admin, transfer=transfer)
    act = reverse("transfers:act", args=[transfer.pk])
    today = timezone.localdate()
    typed = {"action": "issue", "date": today.isoformat(), "valid_days": "400", "dues_paid_through": f"{today:%Y-%m}"}
    refused = world.client(world.town_admin).post(act, typed)
    page = refused.content.decode()
    assert refused.status_code == 400 and "介绍信有效期一般不超过90天" in _form(page, "issue")
    assert 'value="400"' in _form(page, "issue") and f'value="{today:%Y-%m}"' in _form(page, "issue")
    refused = world.client(world.town_admin).post(act, {"action": "cancel", "reason": ""})
    page = refused.content.decode()
    assert refused.status_code == 400 and "请写明撤销的原因" in _form(page, "cancel")
    assert re.search(r'<details[^>]* open data-testid="step-cancel">', page), "the refused step is shown open"
    assert Transfer.objects.get().state == TransferState.APPROVED


def test_the_inbox_opens_on_the_first_tab_with_work(world, make_issued):
    make_issued(world)
    other = world.client(world.other_admin)  # the receiving side: nothing to approve, a letter to accept
    page = other.get(reverse("transfers:inbox")).content.decode()
    assert 'data-testid="count-approvals">0<' in page and 'data-testid="count-incoming">1<' in page
    assert 'class="nav-link active" href="?box=incoming"' in page and "张三" in page
    chosen = other.get(reverse("transfers:inbox"), {"box": "approvals"}).content.decode()
    assert 'class="nav-link active" href="?box=approvals"' in chosen and "张三" not in chosen
    quiet = world.client(world.county_admin).get(reverse("transfers:inbox"), {"box": "nope"}).content.decode()
    assert 'class="nav-link active" href="?box=' in quiet


def test_the_profile_completed_from_the_transfer_returns_to_it_and_nowhere_else(world, make_issued):
    transfer = make_issued(world)
    back = reverse("transfers:detail", args=[transfer.pk])
    edit = reverse("orgs:edit", args=[world.town.pk])
    client = world.client(world.town_admin)
    form = client.get(edit, {"next": back}).content.decode()
    assert f'name="next" value="{back}"' in form
    data = {**OrganizationForm.initial_from(world.town), "address": "坪塘大道188号", "contact_phone": "0731-88123456"}
    data = {key: value for key, value in data.items() if value is not None}
    saved = client.post(edit, {**data, "next": back})
    assert saved.status_code == 302 and saved["Location"] == back
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "transfers:inbox"):
        answer = client.post(edit, {**data, "next": hostile})
        assert answer["Location"] == reverse("orgs:detail", args=[world.town.pk]), hostile


def test_the_page_warns_before_printing_a_letter_without_the_senders_address(world, make_issued):
    transfer = make_issued(world)
    url = reverse("transfers:detail", args=[transfer.pk])
    page = world.client(world.town_admin).get(url).content.decode()
    assert "中共坪塘镇委员会的党组织信息中未填写通讯地址、联系电话" in page
    edit = reverse("orgs:edit", args=[world.town.pk])
    assert f'href="{edit}?next={url}" data-testid="complete-profile"' in page
    branch = world.client(world.branch_admin).get(url).content.decode()  # may not edit the town's profile
    assert "未填写通讯地址、联系电话" in branch and "请联系中共坪塘镇委员会补全" in branch
    assert "complete-profile" not in branch
    receiving = world.client(world.other_admin).get(url).content.decode()
    assert "profile-missing" not in receiving, "the warning is for the side that issues the letter"
    from dangjian.orgs.services import update_organization

    address, phone = "长沙市岳麓区坪塘大道188号", "0731-88123456"
    update_organization(actor=world.county_admin, organization=world.town, address=address, contact_phone=phone)
    assert "profile-missing" not in world.client(world.town_admin).get(url).content.decode()


def test_organizations_and_members_are_found_with_pickers_not_drop_downs(world):
    """A county has hundreds of branches and thousands of members: every form of transfers and
    mobile members finds them by typing, never with a <select> of them all."""
    client = world.client(world.county_admin)
    for name, field in (
        ("transfers:new", "to_org"),
        ("transfers:new", "member"),
        ("transfers:incoming", "to_org"),
        ("transfers:mobile_new", "member"),
        ("transfers:mobile_inflow", "organization"),
    ):
        page = client.get(reverse(name)).content.decode()
        assert f'name="{field}"' in page, (name, field)
        assert f'<select name="{field}"' not in page, (name, field)
        assert "data-org-picker" in page or "data-picker" in page, name


def test_the_incoming_form_chooses_no_education_or_category_for_the_clerk(world):
    """研究生 or 正式党员 preselected would be saved unnoticed: the clerk chooses from the letter."""
    page = world.client(world.town_admin).get(reverse("transfers:incoming")).content.decode()
    for name in ("education", "category"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        assert select is not None, name
        assert re.search(r'<option value="" selected>请选择</option>', select.group(0)), name
    answer = world.client(world.town_admin).post(reverse("transfers:incoming"), {"name": "刘洋"})
    assert "请选择" in answer.content.decode() and answer.status_code == 200
