"""The services refuse each broken rule with its message and write nothing; advisory rules warn
and are recorded; admission, extension, cancellation and moves change the right records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_id_number
from dangjian.approvals.services import steps_for
from dangjian.core.errors import DomainError
from dangjian.development import services
from dangjian.development.models import Applicant, FileStatus, IntervalRule, Quota, StepRecord
from dangjian.development.services import StepInput
from dangjian.members.models import Category, LeftReason, Status
from dangjian.members.services import change_status

from .conftest import PATH, open_file, step_input, walk

D = dt.date


def enter(world, applicant, step, date=None, who=None, **extra):
    default_date, default_who, default_extra = PATH[step]
    actor = world.town_admin if (who or default_who) == "town" else world.branch_admin
    return services.enter_step(
        actor=actor,
        applicant=applicant,
        step=step,
        date=date or default_date,
        data=step_input(world, default_extra | extra),
    )


def refused(message, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert message in str(caught.value), str(caught.value)
    return caught.value


def test_it_refuses_an_applicant_under_18_on_the_application_date(world):
    number = make_id_number("2005-03-01", male=True, sequence=41)
    refused("应年满18周岁", open_file, world, id_number=number, application_date=D(2023, 2, 28))
    assert not Applicant.objects.exists()
    assert open_file(world, id_number=number, application_date=D(2023, 3, 1)).step == 1


def test_it_refuses_a_person_already_a_member(world):
    refused("已登记为“中共兴丰村支部委员会”的党员", open_file, world, id_number=world.zhangsan.id_number)
    # Outside the user's scope the place is not named.
    error = refused("已登记为党员", open_file, world, id_number=world.zhaoliu.id_number)
    assert "三环" not in str(error)


def test_one_person_one_file(world, applicant):
    refused("一人一档", open_file, world)


def test_it_refuses_a_bad_id_number_and_a_future_date(world):
    error = refused(
        "申请日期不能晚于今天", open_file, world, id_number="43012219950601123X", application_date=D(2099, 1, 1)
    )
    assert "id_number" in error.errors


def test_files_open_only_in_branches_of_the_users_scope(world):
    refused("不能培养发展党员", open_file, world, actor=world.town_admin, organization=world.town)
    refused("不在您的管理范围内", open_file, world, organization=world.enterprise)


def test_steps_come_in_order(world, applicant):
    refused("不能跳过：下一步应为第2步“党组织派人谈话”", enter, world, applicant, 3)
    enter(world, applicant, 2)
    refused("第2步“党组织派人谈话”已办理", enter, world, applicant, 2)
    assert StepRecord.objects.filter(applicant=applicant).count() == 2


def test_dates_cannot_go_backwards_or_into_the_future(world, applicant):
    refused("日期不能早于已办理的“递交入党申请书”的日期2022-01-10", enter, world, applicant, 2, date=D(2022, 1, 9))
    refused("日期不能晚于今天", enter, world, applicant, 2, date=D(2099, 1, 1))


def test_an_advisory_rule_warns_and_is_recorded(world, applicant):
    result = enter(world, applicant, 2, date=D(2022, 2, 11))  # more than a month after applying
    assert len(result.warnings) == 1
    assert "应在第1步“递交入党申请书”后1个月内办理" in result.warnings[0]
    assert StepRecord.objects.get(applicant=applicant, step=2).warnings == result.warnings


def test_development_target_needs_a_full_year_as_activist(world, applicant):
    walk(world, applicant, 6)
    refused(
        "应在第3步“推荐和确定入党积极分子”满1年后办理", walk, world, applicant, 7, s7=(D(2023, 7, 14), "branch", {})
    )
    walk(world, applicant, 7)  # 2023-07-15: exactly a year


def test_development_target_needs_every_half_yearly_assessment(world, applicant):
    walk(world, applicant, 6)
    services.record_assessment(actor=world.branch_admin, applicant=applicant, date=D(2022, 12, 20), note="好")
    refused("截至2023-07-15的半年内没有考察记录", enter, world, applicant, 7)


def test_contacts_and_introducers_are_full_members_of_the_branch(world, applicant):
    walk(world, applicant, 4)
    refused("应指定1至2名正式党员作为培养联系人", enter, world, applicant, 5, contacts=[])
    walk(world, applicant, 8)
    refused("应有2名正式党员作入党介绍人", enter, world, applicant, 9, introducers=["zhangsan"])
    # 王芳 is in the town's other branch: in the user's scope? No (branch admin): 404-like refusal.
    refused("不在您的管理范围内", enter, world, applicant, 9, introducers=["zhangsan", "wangfang"])
    # For the town it is in scope, but outside the applicant's branch.
    refused("王芳不是本支部的党员", enter, world, applicant, 9, who="town", introducers=["zhangsan", "wangfang"])


def test_an_introducer_who_lost_the_rights_is_refused(world, applicant):
    walk(world, applicant, 8)
    change_status(actor=world.county_admin, member=world.lisi, status=Status.SUSPENDED, date=D(2023, 7, 1))
    refused("李四当前党籍状态不正常，不能担任入党介绍人", enter, world, applicant, 9)


def test_political_review_must_be_concluded_and_passed(world, applicant):
    walk(world, applicant, 9)
    refused("政治审查须形成结论", enter, world, applicant, 10, review_passed=None)
    refused("政治审查不合格的，不能发展入党", enter, world, applicant, 10, review_passed=False)


def test_training_three_days_or_24_hours(world, applicant):
    walk(world, applicant, 10)
    refused("所填为2天、20学时", enter, world, applicant, 11, training_days=2, training_hours=20)
    enter(world, applicant, 11, training_days=None, training_hours=24)


def test_no_admission_for_someone_leaving_the_unit_within_three_months(world):
    applicant = open_file(world, leaving_date=D(2023, 12, 19))
    walk(world, applicant, 12)
    refused("一般不办理接收手续", enter, world, applicant, 13)


def test_upper_steps_are_the_upper_committees(world, applicant):
    walk(world, applicant, 3)
    with pytest.raises(PermissionDenied):
        enter(world, applicant, 4, who="branch")


def test_a_vote_without_quorum_is_refused_with_the_arithmetic(world, applicant):
    walk(world, applicant, 14)
    error = refused(
        "未超过应到会人数的半数", enter, world, applicant, 15, vote={"present": 1, "yes": 1, "no": 0, "abstain": 0}
    )
    assert "应到会有表决权的正式党员2人，实到1人" in str(error)
    refused("赞成人数未超过", enter, world, applicant, 15, vote={"present": 2, "yes": 1, "no": 1, "abstain": 0})
    refused("请写明李四不计入应到会人数的理由", enter, world, applicant, 15, excluded={world.lisi.pk: " "})
    assert applicant.member is None and not StepRecord.objects.filter(applicant=applicant, step=15).exists()


def test_members_left_out_of_the_expected_count_are_kept_with_the_reason(world, applicant):
    walk(world, applicant, 14)
    result = enter(
        world, applicant, 15, excluded={world.lisi.pk: "长期卧病"}, vote={"present": 1, "yes": 1, "no": 0, "abstain": 0}
    )
    vote = result.record.vote
    assert vote.expected == 1
    assert vote.excluded == [{"member": world.lisi.pk, "name": "李四", "reason": "长期卧病"}]


def test_upper_approval_after_three_months_warns_and_after_six_is_refused(world, applicant):
    walk(world, applicant, 16)
    refused("应在第15步“支部大会讨论”后6个月内办理", enter, world, applicant, 17, date=D(2024, 4, 11))
    result = enter(world, applicant, 17, date=D(2024, 4, 10))
    assert any("后3个月内办理（《中国共产党发展党员工作细则》第二十三条）" in w for w in result.warnings)


def test_the_upper_committee_may_refuse_admission_with_a_reason(world, applicant):
    walk(world, applicant, 15)
    refused(
        "只有上级党委的预审、接收预备党员的审批和预备党员转正的审批可以不同意",
        enter,
        world,
        applicant,
        16,
        reject=True,
        note="x",
    )
    walk(world, applicant, 16)
    refused("请写明理由", enter, world, applicant, 17, reject=True)

    enter(world, applicant, 17, reject=True, note="群众反映问题尚未查清")
    applicant.refresh_from_db()
    assert applicant.status == FileStatus.CLOSED and applicant.member is None
    assert list(steps_for(applicant))[-1].decision == "reject"


def test_regularization_vote_not_before_a_year(world, applicant):
    walk(world, applicant, 22)
    refused("满1年后办理（《中国共产党章程》第七条）", enter, world, applicant, 23, date=D(2024, 10, 9))


def test_extension_once_then_regularization_at_the_new_end(world, applicant):
    walk(world, applicant, 22)
    refused("不能少于半年", enter, world, applicant, 23, outcome="extend", extension_months=5)
    enter(world, applicant, 23, outcome="extend", extension_months=6)
    enter(world, applicant, 24, who="town")
    applicant.refresh_from_db()
    assert (applicant.round, applicant.step, applicant.extension_months) == (1, 21, 6)
    member = applicant.member
    assert member.category == Category.PROBATIONARY
    enter(world, applicant, 22, date=D(2025, 4, 1))
    refused("预备期至2025-04-10届满", enter, world, applicant, 23, date=D(2025, 4, 9))
    refused("只能延长一次", enter, world, applicant, 23, date=D(2025, 4, 10), outcome="extend", extension_months=6)
    enter(world, applicant, 23, date=D(2025, 4, 10))
    enter(world, applicant, 24, date=D(2025, 5, 1), who="town")
    member.refresh_from_db()
    assert member.category == Category.FULL
    assert member.regularized_date == D(2025, 4, 10)


def test_cancellation_of_probation(world, applicant):
    walk(world, applicant, 21)
    enter(world, applicant, 22, date=D(2024, 3, 1))
    enter(world, applicant, 23, date=D(2024, 3, 5), outcome="cancel")  # at any time during probation
    enter(world, applicant, 24, date=D(2024, 3, 20), who="town")
    applicant.refresh_from_db()
    member = applicant.member
    assert applicant.status == FileStatus.CANCELLED
    assert (member.status, member.left_reason, member.status_date) == (
        Status.LEFT,
        LeftReason.PROBATION_CANCELLED,
        D(2024, 3, 20),
    )
    refused("不能再办理", enter, world, applicant, 25)


def test_the_county_edits_the_rule_table_and_the_change_applies(world, applicant):
    rule = IntervalRule.objects.get(code="talk")
    with pytest.raises(PermissionDenied):
        services.set_rule(actor=world.town_admin, rule=rule, amount=2, blocking=True, active=True, source="x")
    services.set_rule(actor=world.county_admin, rule=rule, amount=1, blocking=True, active=True, source="本县规定")
    refused("本县规定", enter, world, applicant, 2, date=D(2022, 2, 11))


def test_out_of_scope_files_are_404(world, applicant):
    with pytest.raises(Http404):
        services.enter_step(actor=world.other_admin, applicant=applicant, step=2, date=D(2022, 1, 25), data=StepInput())


def test_the_file_moves_and_the_time_served_counts_on(world, applicant):
    walk(world, applicant, 6)
    services.move_applicant(
        actor=world.town_admin, applicant=applicant, organization=world.community, date=D(2022, 9, 1)
    )
    applicant.refresh_from_db()
    assert (applicant.organization, applicant.org_path, applicant.step) == (world.community, world.community.path, 6)
    for day in (D(2022, 12, 20), D(2023, 6, 20)):
        services.record_assessment(actor=world.town_admin, applicant=applicant, date=day, note="好")
    # a year from the activist date at the first branch: nothing restarted
    services.enter_step(actor=world.town_admin, applicant=applicant, step=7, date=D(2023, 7, 15), data=StepInput())
    with pytest.raises(Http404):  # the branch it left no longer sees it
        services.record_assessment(actor=world.branch_admin, applicant=applicant, date=D(2023, 7, 20), note="x")


def test_a_probationary_members_file_follows_the_member(world, applicant):
    """The move (an accepted transfer's last step) carries the file itself: the hook is registered."""
    from dangjian.members.moves import move_member

    walk(world, applicant, 17)
    move_member(applicant.member, world.community, D(2024, 2, 1), "转接")
    applicant.refresh_from_db()
    assert (applicant.organization, applicant.org_path) == (world.community, world.community.path)


def test_quota_is_divided_down_the_tree(world):
    with pytest.raises(DomainError):
        services.set_quota(actor=world.town_admin, organization=world.village, year=2024, amount=5)
    services.set_quota(actor=world.county_admin, organization=world.county, year=2024, amount=10)
    services.set_quota(actor=world.county_admin, organization=world.town, year=2024, amount=6)
    refused(
        "最多还能分配4名",
        services.set_quota,
        actor=world.county_admin,
        organization=world.other_town,
        year=2024,
        amount=5,
    )
    services.set_quota(actor=world.county_admin, organization=world.other_town, year=2024, amount=4)
    services.set_quota(actor=world.town_admin, organization=world.village, year=2024, amount=6)
    refused(
        "最多还能分配0名", services.set_quota, actor=world.town_admin, organization=world.community, year=2024, amount=1
    )
    refused(
        "只能向本组织及下级组织下达计划",
        services.set_quota,
        actor=world.town_admin,
        organization=world.enterprise,
        year=2024,
        amount=1,
    )
    assert Quota.objects.get(organization=world.village, year=2024).given_by == world.town


def test_progress_counts_development_targets_of_the_year(world, applicant):
    walk(world, applicant, 7)
    assert services.targets_in_year(world.town.path, 2023) == 1
    assert services.targets_in_year(world.town.path, 2022) == 0
    assert services.targets_in_year(world.other_town.path, 2023) == 0


def test_documents_are_kept_and_bad_ones_refused(world, applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.add_document(
        actor=world.branch_admin,
        applicant=applicant,
        kind="application",
        upload=SimpleUploadedFile("入党申请书.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert document.file.read() == b"%PDF-1.4 test"
    assert document.file_name == "入党申请书.pdf"
    refused(
        "格式不支持",
        services.add_document,
        actor=world.branch_admin,
        applicant=applicant,
        kind="application",
        upload=SimpleUploadedFile("x.exe", b"MZ"),
    )
    refused(
        "不在可选范围内",
        services.add_document,
        actor=world.branch_admin,
        applicant=applicant,
        kind="nonsense",
        upload=SimpleUploadedFile("x.pdf", b"%PDF"),
    )
    with pytest.raises(Http404):
        services.add_document(
            actor=world.other_admin,
            applicant=applicant,
            kind="application",
            upload=SimpleUploadedFile("x.pdf", b"%PDF"),
        )
    assert applicant.documents.count() == 1


def test_closing_a_file_needs_a_reason_and_ends_it(world, applicant):
    refused(
        "请写明终止的理由",
        services.close_file,
        actor=world.branch_admin,
        applicant=applicant,
        date=D(2022, 2, 1),
        reason=" ",
    )
    services.close_file(actor=world.branch_admin, applicant=applicant, date=D(2022, 2, 1), reason="本人撤回申请")
    refused("已终止，不能再办理", enter, world, applicant, 2)
    # A closed file does not block a new application of the same person.
    assert open_file(world).pk != applicant.pk


def test_step_19_puts_the_new_member_in_a_party_group(world, applicant):
    from dangjian.members.services import create_party_group

    group = create_party_group(
        actor=world.branch_admin, organization=world.village, name="第一党小组", member_ids=[world.zhangsan.pk]
    )
    other = create_party_group(actor=world.town_admin, organization=world.community, name="社区党小组")
    walk(world, applicant, 18)
    refused("不是“中共兴丰村支部委员会”的现有党小组", enter, world, applicant, 19, who="town", party_group=other)
    enter(world, applicant, 19, party_group=group)
    applicant.refresh_from_db()
    assert set(group.members.all()) == {world.zhangsan, applicant.member}


def test_a_refused_admission_leaves_nothing_half_written(world, applicant):
    from dangjian.members.services import create_member

    walk(world, applicant, 16)
    logged = steps_for(applicant).count()
    # Someone registered the person as a member meanwhile (an import, another branch).
    create_member(
        actor=world.county_admin,
        organization=world.enterprise,
        name="陈晓",
        id_number=applicant.id_number,
        education="bachelor",
        category="probationary",
        joined_date=D(2023, 10, 1),
    )
    refused("不能登记为预备党员", enter, world, applicant, 17)
    applicant.refresh_from_db()
    assert (applicant.step, applicant.status, applicant.member) == (16, FileStatus.OPEN, None)
    assert not StepRecord.objects.filter(applicant=applicant, step=17).exists()
    assert steps_for(applicant).count() == logged


def test_assessments_belong_to_the_activist_period(world, applicant):
    refused(
        "到确定为发展对象止登记",
        services.record_assessment,
        actor=world.branch_admin,
        applicant=applicant,
        date=D(2022, 3, 1),
        note="好",
    )
    walk(world, applicant, 3)
    refused(
        "不能早于确定为入党积极分子的日期2022-07-15",
        services.record_assessment,
        actor=world.branch_admin,
        applicant=applicant,
        date=D(2022, 7, 14),
        note="好",
    )
    refused(
        "请填写考察意见",
        services.record_assessment,
        actor=world.branch_admin,
        applicant=applicant,
        date=D(2022, 8, 1),
        note=" ",
    )
    services.record_assessment(actor=world.branch_admin, applicant=applicant, date=D(2022, 7, 15), note="好")
    assert applicant.assessments.count() == 1
