"""The member registry in full: personal data encrypted and masked, dated statuses, search and
filters, exports, the timeline and the member's own correction requests."""

import datetime as dt
import io
import logging
from io import StringIO
from urllib.parse import unquote

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from conftest import make_id_number
from dangjian.core import crypto
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent, Event
from dangjian.core.services import update_security_settings
from dangjian.members import services, timeline
from dangjian.members.filters import search_members
from dangjian.members.models import CorrectionRequest, CorrectionStatus, Member, StatusPeriod
from dangjian.members.timeline import entries

PHONE = "13807311234"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def raw_column(member, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM members_member WHERE id = %s", [member.pk])
        return bytes(cursor.fetchone()[0])


@pytest.fixture
def lisi(world):
    """李四 with a phone and the fields of the full registry."""
    return services.update_member(
        actor=world.county_admin,
        member=world.lisi,
        phone=PHONE,
        native_place="湖南浏阳",
        occupation="farmer",
        degree="none",
        job="兴丰村村民",
        address="兴丰村3组",
        is_central_household=True,
    )


# Personal data at rest ----------------------------------------------------------------------


def test_id_and_phone_numbers_are_stored_encrypted_and_read_back_plain(world, lisi):
    stored = raw_column(lisi, "id_number")
    assert lisi.id_number.encode() not in stored
    assert crypto.decrypt(stored) == world.lisi.id_number
    assert PHONE.encode() not in raw_column(lisi, "phone")
    fresh = Member.objects.get(pk=lisi.pk)
    assert (fresh.id_number, fresh.phone) == (world.lisi.id_number, PHONE)
    assert fresh.id_hash == crypto.lookup_hash(fresh.id_number) and fresh.id_tail == fresh.id_number[-4:]
    # Two encryptions of one number differ: the column says nothing, even about equality.
    assert crypto.encrypt(PHONE) != crypto.encrypt(PHONE)


def test_the_encrypted_column_cannot_be_searched_by_mistake(world):
    with pytest.raises(FieldError):
        Member.objects.filter(id_number=world.lisi.id_number).exists()


def test_an_altered_ciphertext_does_not_decrypt(world):
    stored = bytearray(raw_column(world.lisi, "id_number"))
    stored[-1] ^= 1
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(bytes(stored))


def test_rotating_the_key_re_encrypts_every_value_and_the_old_key_can_go(world, lisi, settings):
    old_key = settings.DATA_KEYS[0]
    new_key = crypto.new_key()
    settings.DATA_KEYS = [new_key, old_key]
    assert not crypto.is_current(raw_column(lisi, "id_number"))
    out = StringIO()
    call_command("rotate_data_keys", stdout=out)
    assert "members.Member.id_number" in out.getvalue()
    settings.DATA_KEYS = [new_key]  # the old key is gone: everything must still read
    assert crypto.is_current(raw_column(lisi, "id_number"))
    assert {m.id_number for m in Member.objects.all()} >= {world.lisi.id_number, world.zhaoliu.id_number}
    assert Member.objects.get(pk=lisi.pk).phone == PHONE
    assert all(record.id_number for record in Member.history.all())  # the history too


def test_rotating_the_lookup_key_rehashes(world, settings):
    settings.LOOKUP_KEY = "a-new-lookup-key"
    assert not search_members(Member.objects.all(), world.lisi.id_number).exists()
    call_command("rotate_data_keys", "--rehash", stdout=StringIO())
    assert list(search_members(Member.objects.all(), world.lisi.id_number)) == [world.lisi]


def test_a_value_under_a_key_no_longer_configured_is_refused_not_misread(world, settings):
    settings.DATA_KEYS = [crypto.new_key()]
    with pytest.raises(crypto.UndecryptableValue):
        Member.objects.get(pk=world.lisi.pk)


def test_numbers_never_reach_the_logs_or_the_security_trail(world, caplog):
    caplog.set_level(logging.DEBUG)
    number = make_id_number("1980-01-01", male=True, sequence=77)
    client = world.client(world.branch_admin)
    response = client.post(
        "/members/new/",
        {"organization": world.village.pk, "name": "周八", "id_number": number, "phone": "1380000", "education": "x"},
    )
    assert response.status_code == 200  # errors shown on the form
    assert {"id_number", "phone"} <= set(response.wsgi_request.sensitive_post_parameters)
    client.post(f"/members/{world.lisi.pk}/reveal/")
    assert number not in caplog.text and world.lisi.id_number not in caplog.text
    for event in AuditEvent.objects.all():
        assert world.lisi.id_number not in str(event.details)


# Status with its date --------------------------------------------------------------------------


def test_a_status_change_keeps_its_date_so_the_status_on_any_day_is_known(world):
    services.change_status(
        actor=world.branch_admin, member=world.lisi, status="mobile", date=dt.date(2024, 3, 1), reason="外出务工"
    )
    services.change_status(actor=world.branch_admin, member=world.lisi, status="normal", date=dt.date(2025, 1, 10))
    periods = list(StatusPeriod.objects.filter(member=world.lisi).values_list("status", "start", "end"))
    assert periods == [
        ("normal", dt.date(2000, 7, 1), dt.date(2024, 3, 1)),
        ("mobile", dt.date(2024, 3, 1), dt.date(2025, 1, 10)),
        ("normal", dt.date(2025, 1, 10), None),
    ]

    def status_on(day):
        return StatusPeriod.objects.filter(member=world.lisi, start__lte=day).exclude(end__lte=day).get().status

    assert [status_on(dt.date(2024, 2, 29)), status_on(dt.date(2024, 3, 1)), status_on(dt.date(2025, 1, 10))] == [
        "normal",
        "mobile",
        "normal",
    ]
    texts = [entry.text for entry in entries(Member.objects.get(pk=world.lisi.pk))]
    assert "党籍状态变为流动：外出务工" in texts and "党籍状态变为正常" in texts


@pytest.mark.parametrize(
    ("status", "date", "left_reason", "field", "message"),
    [
        ("left", dt.date(2024, 1, 1), "", "left_reason", "请选择出党方式"),
        ("mobile", dt.date(2024, 1, 1), "expelled", "left_reason", "党籍状态为出党时才填写出党方式"),
        ("left", dt.date(2024, 1, 1), "probation_cancelled", "left_reason", "只适用于预备党员"),
        ("mobile", dt.date(1999, 1, 1), "", "status_date", "不能早于入党日期"),
        ("mobile", dt.date(2999, 1, 1), "", "status_date", "不能晚于今天"),
        ("normal", dt.date(2024, 1, 1), "", "status", "已是正常"),
    ],
)
def test_a_status_change_that_breaks_a_rule_is_refused_and_changes_nothing(
    world, status, date, left_reason, field, message
):
    with pytest.raises(DomainError) as raised:
        services.change_status(
            actor=world.branch_admin, member=world.lisi, status=status, date=date, left_reason=left_reason
        )
    assert message in " ".join(raised.value.errors[field])
    assert StatusPeriod.objects.filter(member=world.lisi).count() == 1
    assert Member.objects.get(pk=world.lisi.pk).status == "normal"


def test_leaving_the_party_records_how_and_takes_the_member_off_the_roll(world):
    services.change_status(
        actor=world.branch_admin, member=world.lisi, status="left", date=dt.date(2025, 6, 1), left_reason="lapsed"
    )
    lisi = Member.objects.get(pk=world.lisi.pk)
    assert (lisi.status, lisi.left_reason, lisi.status_date) == ("left", "lapsed", dt.date(2025, 6, 1))
    roster = world.client(world.branch_admin).get("/members/").content.decode()
    assert "李四" not in roster
    assert "李四" in world.client(world.branch_admin).get("/members/", {"status": "left"}).content.decode()


def test_a_status_change_cannot_go_back_before_the_last_one(world):
    services.change_status(actor=world.branch_admin, member=world.lisi, status="mobile", date=dt.date(2024, 3, 1))
    with pytest.raises(DomainError, match="不能早于上一次变更的日期2024-03-01"):
        services.change_status(actor=world.branch_admin, member=world.lisi, status="normal", date=dt.date(2024, 1, 1))


def test_the_status_form_and_api_change_status_with_a_date(world):
    client = world.client(world.branch_admin)
    page = client.post(f"/members/{world.lisi.pk}/status/", {"status": "abroad", "date": "2025-02-01"}, follow=True)
    assert "党籍状态已变更为出国(境)" in page.content.decode()
    response = api(world.branch_admin).post(
        f"/api/v1/members/{world.lisi.pk}/status/", {"status": "normal", "date": "2025-09-01"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "normal"
    refused = api(world.branch_admin).patch(f"/api/v1/members/{world.lisi.pk}/", {"status": "left"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()


# Search and filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("李四", {"李四"}),
        ("lisi", {"李四"}),
        ("ls", {"李四"}),
        ("zs", {"张三"}),
        (PHONE, {"李四"}),
        (PHONE[-4:], {"李四"}),
        ("13807319999", set()),
    ],
)
def test_search_by_name_pinyin_initials_and_phone(world, lisi, query, expected):
    found = search_members(Member.objects.all(), query)
    assert {m.name for m in found} == expected


def test_search_by_the_end_of_the_id_number(world):
    number = world.lisi.id_number
    for tail in (number[-4:], number[-6:], number[-10:], number):
        assert world.lisi in search_members(Member.objects.all(), tail), tail
    wrong = str((int(number[-6]) + 1) % 10) + number[-5:]
    assert world.lisi not in search_members(Member.objects.all(), wrong)


def test_filters_by_age_band_as_of_a_date_occupation_and_joining_period(world, lisi):
    client = world.client(world.county_admin)

    def names(**query):
        return {m.name for m in client.get("/members/", query).context["page"]}

    # 李四 was born 1972-05-20: 51–55 until 2028-05-19, then 56–60.
    assert "李四" in names(age_band=5, as_of="2028-05-19")
    assert "李四" not in names(age_band=5, as_of="2028-05-20")
    assert "李四" in names(age_band=6, as_of="2028-05-20")
    assert names(occupation="farmer") == {"李四"}
    assert names(is_central_household="true") == {"李四"}
    assert len(names(joined_period=2)) == 4  # all joined 2000-07-01: after the Third Plenum, before the 18th
    assert names(joined_period=3) == set()
    assert len(names(joined_from="2000-07-01", joined_to="2000-07-01")) == 4
    assert names(joined_from="2000-07-02") == set()


def test_api_filters_and_searches_within_the_scope_only(world, lisi):
    client = api(world.other_admin)
    assert client.get("/api/v1/members/", {"q": PHONE}).json()["count"] == 0
    assert client.get("/api/v1/members/", {"occupation": "farmer"}).json()["count"] == 0
    assert api(world.town_admin).get("/api/v1/members/", {"q": PHONE}).json()["count"] == 1


# Masking per role: list, detail, API, export ---------------------------------------------------


def _export_text(response):
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("role", ["county_admin", "town_admin", "branch_admin"])
@pytest.mark.parametrize("reveals", [True, False])
def test_numbers_are_masked_in_list_detail_api_and_export_whatever_the_role(world, lisi, role, reveals):
    if not reveals:
        update_security_settings(actor=world.security_admin, org_admin_reveals_id=False, branch_admin_reveals_id=False)
    user = getattr(world, role)
    client = world.client(user)
    number = world.lisi.id_number
    masked_phone = "138****1234"
    bodies = {
        "list": client.get("/members/").content.decode(),
        "detail": client.get(f"/members/{lisi.pk}/").content.decode(),
        "api list": api(user).get("/api/v1/members/").content.decode(),
        "api detail": api(user).get(f"/api/v1/members/{lisi.pk}/").content.decode(),
        "export": _export_text(client.get("/members/export/")),
        "roster": _export_text(client.get("/members/export/", {"layout": "roster"})),
    }
    for where, body in bodies.items():
        assert number not in body and PHONE not in body, where
        assert lisi.masked_id_number in body, where
    for where in ("detail", "api detail", "export", "roster"):
        assert masked_phone in bodies[where], where
    full = client.get("/members/export/", {"full": "1"})
    if reveals:
        text = _export_text(full)
        assert number in text and PHONE in text
        event = AuditEvent.objects.filter(event=Event.EXPORT, actor=user).latest("seq")
        assert event.details["unmasked"] is True and event.details["rows"] >= 2
        assert number not in str(event.details)
    else:
        assert full.status_code == 403


def test_a_member_sees_their_own_numbers_and_cannot_export(world):
    client = world.client(world.member_user)
    own = client.post(f"/members/{world.zhangsan.pk}/reveal/").content.decode()
    assert world.zhangsan.id_number in own
    assert client.get("/members/export/").status_code == 403


def test_the_export_is_the_search_on_screen(world, lisi):
    client = world.client(world.county_admin)
    text = _export_text(client.get("/members/export/", {"q": "ls"}))
    assert "李四" in text and "张三" not in text and "赵六" not in text
    assert "兴丰村3组" in text and "农牧渔民" in text and "是" in text
    event = AuditEvent.objects.filter(event=Event.EXPORT).latest("seq")
    assert event.details["filters"] == {"q": "ls"} and event.details["rows"] == 1
    outside = world.client(world.branch_admin).get("/members/export/", {"organization": world.enterprise.pk})
    assert outside.status_code == 400 and "不在您的管理范围内" in outside.content.decode()


def test_masked_and_full_exports_download_under_different_names(world):
    client = world.client(world.county_admin)
    names = {}
    for label, params in {
        "masked": {},
        "full": {"full": "1"},
        "roster": {"layout": "roster"},
        "roster full": {"layout": "roster", "full": "1"},
    }.items():
        names[label] = unquote(client.get("/members/export/", params)["Content-Disposition"]).split("''", 1)[1]
    assert len(set(names.values())) == 4, names
    assert "含完整号码" in names["full"] and "含完整号码" in names["roster full"]
    assert "含完整号码" not in names["masked"] + names["roster"]


def test_the_roster_is_laid_out_for_printing(world, lisi):
    response = world.client(world.town_admin).get(
        "/members/export/", {"layout": "roster", "organization": world.town.pk}
    )
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert f"filename*=utf-8''{world.town.display_name}党员花名册-" in unquote(response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == "中共坪塘镇委员会党员花名册"
    assert "A1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[3]][:6] == ["序号", "姓名", "性别", "民族", "出生年月", "公民身份号码"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=6)]
    assert [row[1] for row in rows] == ["李四", "张三", "王芳"]  # by organization, then pinyin
    assert rows[0][0] == 1 and rows[0][4] == "1972.05" and rows[0][12] == "138****1234"
    assert sheet.cell(row=7, column=1).value == "合计：3人"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["F"].width >= 18  # an 18-character ID number fits


# The member's own correction requests ----------------------------------------------------------


def test_a_member_requests_a_correction_and_the_branch_accepts_it(world):
    member_client = world.client(world.member_user)
    form = member_client.get(f"/members/{world.zhangsan.pk}/correction/")
    assert form.status_code == 200
    assert world.zhangsan.id_number not in form.content.decode()
    response = member_client.post(
        f"/members/{world.zhangsan.pk}/correction/",
        {
            "name": "张三",
            "ethnicity": "01",
            "education": "bachelor",
            "phone": "13907310000",
            "reason": "已取得本科学历",
        },
        follow=True,
    )
    assert "更正申请已提交" in response.content.decode()
    request = CorrectionRequest.objects.get(member=world.zhangsan)
    assert request.changes == {"education": "bachelor", "phone": "13907310000"}
    inbox = world.client(world.branch_admin).get("/members/corrections/").content.decode()
    assert "张三" in inbox and "学历、联系电话" in inbox
    page = world.client(world.branch_admin).get(f"/members/corrections/{request.pk}/").content.decode()
    assert "139****0000" in page and "13907310000" not in page
    world.client(world.branch_admin).post(f"/members/corrections/{request.pk}/", {"decision": "accept"})
    zhangsan = Member.objects.get(pk=world.zhangsan.pk)
    assert (zhangsan.education, zhangsan.phone) == ("bachelor", "13907310000")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.ACCEPTED and request.decided_by == world.branch_admin
    assert any("本人申请更正学历、联系电话，已采纳" in e.text for e in entries(zhangsan))
    record = Member.history.filter(id=zhangsan.pk).latest("history_id")
    assert record.history_user == world.branch_admin


def test_a_rejection_needs_a_reason_which_the_member_then_sees(world):
    request = services.request_correction(actor=world.member_user, member=world.zhangsan, changes={"job": "村会计"})
    with pytest.raises(DomainError, match="写明理由"):
        services.decide_correction(actor=world.branch_admin, request=request, accept=False)
    services.decide_correction(actor=world.branch_admin, request=request, accept=False, note="请提供任职文件")
    page = world.client(world.member_user).get(f"/members/{world.zhangsan.pk}/").content.decode()
    assert "未采纳" in page and "请提供任职文件" in page
    assert Member.objects.get(pk=world.zhangsan.pk).job == ""
    with pytest.raises(DomainError, match="不能再次处理"):
        services.decide_correction(actor=world.branch_admin, request=request, accept=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "应为以1开头的11位数字"),
        ({"name": "张" * 51}, "name", "不能超过50个字"),
        ({"name": "张三"}, "changes", "与现有信息相同的不算更正"),
        ({"id_number": "430122197003150035"}, "changes", "不能由本人申请更正"),
    ],
)
def test_a_bad_correction_request_is_refused_with_the_field(world, changes, field, message):
    with pytest.raises(DomainError) as raised:
        services.request_correction(actor=world.member_user, member=world.zhangsan, changes=changes)
    assert message in " ".join(raised.value.errors[field])
    assert not CorrectionRequest.objects.exists()


def test_one_open_request_at_a_time_and_only_for_oneself(world):
    services.request_correction(actor=world.member_user, member=world.zhangsan, changes={"job": "村会计"})
    with pytest.raises(DomainError, match="待处理的更正申请"):
        services.request_correction(actor=world.member_user, member=world.zhangsan, changes={"job": "出纳"})
    assert world.client(world.member_user).get(f"/members/{world.lisi.pk}/correction/").status_code == 404
    assert world.client(world.branch_admin).get(f"/members/{world.lisi.pk}/correction/").status_code == 403
    # An administrator of another town never sees the request.
    request = CorrectionRequest.objects.get()
    assert world.client(world.other_admin).get(f"/members/corrections/{request.pk}/").status_code == 404
    assert "张三" not in world.client(world.other_admin).get("/members/corrections/").content.decode()


# The member's page ------------------------------------------------------------------------------


def test_the_member_page_shows_every_field_and_the_timeline(world, lisi):
    services.change_status(actor=world.branch_admin, member=lisi, status="mobile", date=dt.date(2024, 3, 1))
    page = world.client(world.branch_admin).get(f"/members/{lisi.pk}/").content.decode()
    for text in ("湖南浏阳", "农牧渔民", "兴丰村村民", "兴丰村3组", "138****1234", "党员中心户", "2024-03-01起"):
        assert text in page, text
    timeline = [(e.date, e.kind, e.text) for e in entries(Member.objects.get(pk=lisi.pk))]
    assert timeline == [
        (dt.date(2024, 3, 1), "党籍状态", "党籍状态变为流动"),
        (dt.date(2001, 7, 1), "人员类别", "转为正式党员"),
        (dt.date(2000, 7, 1), "组织关系", "编入中共兴丰村支部委员会（登记入册）"),
        (dt.date(2000, 7, 1), "人员类别", "入党，为预备党员"),
    ]


def test_the_timeline_is_newest_first_within_a_day_too(world, lisi, monkeypatch):
    # Read from the top back in time: on the day of joining, the branch meeting's decision
    # (a step of a procedure, yielded in the order it happened) comes below what it changed.
    def steps(member):
        yield timeline.Entry(dt.date(2000, 7, 1), "发展党员", "第15步 支部大会讨论")
        yield timeline.Entry(dt.date(2000, 7, 1), "发展党员", "第16步 上级党委派人谈话")

    monkeypatch.setattr(timeline, "_sources", [steps, *timeline._sources])
    day = [e.text for e in entries(Member.objects.get(pk=lisi.pk)) if e.date == dt.date(2000, 7, 1)]
    assert day == [
        "编入中共兴丰村支部委员会（登记入册）",
        "入党，为预备党员",
        "第16步 上级党委派人谈话",
        "第15步 支部大会讨论",
    ]


def test_the_edit_form_never_sends_the_numbers_back_and_blank_keeps_them(world, lisi):
    client = world.client(world.branch_admin)
    form = client.get(f"/members/{lisi.pk}/edit/").content.decode()
    assert world.lisi.id_number not in form and PHONE not in form
    assert "138****1234" in form
    data = {
        "name": "李四",
        "ethnicity": "01",
        "education": "bachelor",
        "category": "full",
        "joined_date": "2000-07-01",
        "regularized_date": "2001-07-01",
        "id_number": "",
        "phone": "",
    }
    client.post(f"/members/{lisi.pk}/edit/", data)
    fresh = Member.objects.get(pk=lisi.pk)
    assert (fresh.education, fresh.id_number, fresh.phone) == ("bachelor", world.lisi.id_number, PHONE)


def test_check_integrity_verifies_the_status_periods(world):
    from dangjian.members.integrity import problems

    services.change_status(actor=world.branch_admin, member=world.lisi, status="mobile", date=dt.date(2024, 3, 1))
    assert problems() == []
    StatusPeriod.objects.filter(member=world.lisi, end__isnull=True).update(status="abroad")
    StatusPeriod.objects.filter(member=world.lisi, status="normal").update(end=dt.date(2024, 2, 1))
    found = problems()
    assert any("当前党籍状态期间（abroad）与党员记录不一致" in p for p in found)
    assert any("党籍状态期间不衔接：2000-07-01—2024-02-01 之后是 2024-03-01" in p for p in found)


def test_a_full_member_needs_a_regularized_date_wherever_entered(world):
    data = {
        "organization": world.village.pk,
        "name": "周八",
        "id_number": make_id_number("1980-01-01", male=True, sequence=77),
        "education": "bachelor",
        "category": "full",
        "joined_date": "2005-07-01",
    }
    response = api(world.branch_admin).post("/api/v1/members/", data, format="json")
    assert response.status_code == 400
    assert "正式党员请填写转正日期" in str(response.json())
    assert not Member.objects.filter(name="周八").exists()


def test_the_export_follows_the_order_chosen_on_the_roster(world):
    def names(params):
        sheet = load_workbook(io.BytesIO(client.get("/members/export/", params).content), read_only=True).active
        return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]

    client = world.client(world.county_admin)
    Member.objects.filter(pk=world.wangfang.pk).update(birth_date=dt.date(1960, 1, 1))
    assert names({"sort": "birth"})[0] == "王芳"
    assert names({"sort": "-birth"})[-1] == "王芳"
