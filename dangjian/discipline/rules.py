"""The rules of 党纪处分 (RULES.md §6.1 and the derived rules of §1.2) as pure functions: facts in,
Chinese messages out (field → message), so that each is tested by a table of boundaries.

Periods are calendar periods (``core.dates``), never day counts, and half-open: a sanction is in
effect on the days decided_on ≤ d < effect_until. A 警告 decided on 2024-03-15 is over on
2025-03-15; a 留党察看 of 12 months decided on 2024-01-31 ends on 2025-01-31, one of 18 months
from 2023-08-31 on 2025-02-28 (the month's last day when the day does not exist).
"""

import datetime as dt
from dataclasses import dataclass

from dangjian.core.dates import add_months, add_years
from dangjian.elections.rules import Post, equal_or_higher, post_rank

from .models import EXTENSION_MONTHS, PROBATION_MONTHS, Ending, SanctionKind

# 纪律处分条例 第九–十三条 (RULES.md §6.1): how long each sanction's effect lasts, in months.
EFFECT_MONTHS = {
    SanctionKind.WARNING: 12,
    SanctionKind.SERIOUS_WARNING: 18,
    SanctionKind.REMOVAL_FROM_POST: 24,
}
NO_REJOINING_YEARS = 5  # 开除党籍: no re-joining for 5 years
MAX_PROBATION_MONTHS = 24
POST_RESTRICTION_YEARS = 2  # after rights are restored: no equal or higher post for 2 years

CONSEQUENCE = "察看期间又违犯党纪应当给予处分的，应开除党籍（《中国共产党纪律处分条例》）"


def probation_end(decided_on: dt.date, months: int, extension_months: int | None = None) -> dt.date:
    """The first day after the 留党察看 (with its extension): it runs on decided_on ≤ d < end."""
    return add_months(decided_on, months + (extension_months or 0))


def effect_until(
    kind: SanctionKind, decided_on: dt.date, months: int | None = None, extension_months: int | None = None
) -> dt.date:
    """The first day the sanction's effect is over (RULES.md §6.1): 警告 1 year, 严重警告 1.5 years,
    撤销党内职务 2 years, 留党察看 its months (and extension), 开除党籍 5 years without re-joining."""
    if kind == SanctionKind.PROBATION:
        assert months is not None
        return probation_end(decided_on, months, extension_months)
    if kind == SanctionKind.EXPULSION:
        return add_years(decided_on, NO_REJOINING_YEARS)
    return add_months(decided_on, EFFECT_MONTHS[kind])


def post_restriction_until(restored_on: dt.date) -> dt.date:
    """留党察看: for 2 years after rights are restored, no equal or higher post (RULES.md §6.1)."""
    return add_years(restored_on, POST_RESTRICTION_YEARS)


@dataclass(frozen=True)
class OpenProbation:
    """The member's 留党察看 not yet ended (rights not restored, not expelled)."""

    decided_on: dt.date
    end: dt.date  # first day after it, with the extension


@dataclass(frozen=True)
class SanctionFacts:
    """What deciding a new sanction depends on."""

    name: str
    kind: str
    decided_on: dt.date | None
    reason: str
    months: int | None
    joined_date: dt.date
    regularized_date: dt.date | None
    on_roll: bool  # still a member (not 出党, not 已故)
    status_label: str
    open_probation: OpenProbation | None = None


def _day(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def sanction_problems(facts: SanctionFacts, today: dt.date) -> dict[str | None, str]:
    """Whether the sanction may be recorded: one message per field (empty: it may)."""
    problems: dict[str | None, str] = {}
    if facts.kind not in SanctionKind.values:
        problems["kind"] = "请选择处分种类（警告、严重警告、撤销党内职务、留党察看、开除党籍）"
        return problems
    kind = SanctionKind(facts.kind)
    if not facts.reason.strip():
        problems["reason"] = "请填写处分事由"
    elif len(facts.reason.strip()) > 500:
        problems["reason"] = "处分事由不能超过500个字"
    if kind == SanctionKind.PROBATION and facts.months not in PROBATION_MONTHS:
        problems["months"] = "留党察看期限为一年（12个月）或二年（24个月）（《中国共产党纪律处分条例》）"
    elif kind != SanctionKind.PROBATION and facts.months is not None:
        problems["months"] = "只有留党察看填写察看期限"
    if not facts.on_roll:
        problems[None] = f"{facts.name}的党籍状态为{facts.status_label}，已不是党员，不能再给予党纪处分"
        return problems
    day = facts.decided_on
    if day is None:
        problems["decided_on"] = "请填写处分决定日期"
        return problems
    if day > today:
        problems["decided_on"] = "处分决定日期不能晚于今天"
    elif day < facts.joined_date:
        problems["decided_on"] = f"处分决定日期不能早于{facts.name}的入党日期{_day(facts.joined_date)}"
    probationary = facts.regularized_date is None or facts.regularized_date > day
    if "decided_on" not in problems and probationary:
        if kind == SanctionKind.PROBATION:
            problems["kind"] = (
                f"{facts.name}在{_day(day)}是预备党员，预备党员不适用留党察看：违犯党纪情节较轻的批评教育"
                "或延长预备期，情节较重的取消预备党员资格（《中国共产党发展党员工作细则》）"
            )
        elif kind == SanctionKind.EXPULSION:
            problems["kind"] = (
                f"{facts.name}在{_day(day)}是预备党员：违犯党纪情节较重的，应取消预备党员资格"
                "（变更党籍状态为出党，出党方式为取消预备党员资格），不给予开除党籍（《中国共产党发展党员工作细则》）"
            )
    probation = facts.open_probation
    if probation is not None and "decided_on" not in problems:
        during = f"{facts.name}正在留党察看期间（{_day(probation.decided_on)}起，{_day(probation.end)}期满）"
        if kind == SanctionKind.EXPULSION:
            if day < probation.decided_on:
                problems["decided_on"] = f"开除党籍的日期不能早于留党察看的决定日期{_day(probation.decided_on)}"
        elif kind == SanctionKind.PROBATION or day >= probation.decided_on:
            problems["kind"] = f"{during}，{CONSEQUENCE}：请在该留党察看记录上办理开除党籍，不再给予较轻的处分"
    return problems


@dataclass(frozen=True)
class ProbationFacts:
    """A recorded 留党察看, for its extension and its ending."""

    kind: str
    decided_on: dt.date
    months: int | None
    extension_months: int | None
    extended_on: dt.date | None
    ending: str
    ended_on: dt.date | None

    @property
    def end(self) -> dt.date:
        assert self.months is not None
        return probation_end(self.decided_on, self.months, self.extension_months)


def closed_problem(facts: ProbationFacts) -> str | None:
    """Why nothing more can be done on this sanction (not a 留党察看, or already ended), if so."""
    if facts.kind != SanctionKind.PROBATION:
        return "只有留党察看可以延长、恢复党员权利或在察看期间开除党籍"
    if facts.ended_on is not None:
        return f"该留党察看已于{_day(facts.ended_on)}{Ending(facts.ending).label}，已经结束"
    return None


def extension_problems(
    facts: ProbationFacts, date: dt.date | None, reason: str, today: dt.date
) -> dict[str | None, str]:
    """延长留党察看 (RULES.md §6.1): once, by one year, only for a one-year 留党察看 at its end (on or
    after the end date, before the extended year is over); never beyond two years in total."""
    if closed := closed_problem(facts):
        return {None: closed}
    problems: dict[str | None, str] = {}
    if facts.extended_on is not None:
        problems[None] = (
            f"该留党察看已于{_day(facts.extended_on)}延长一年，只能延长一次，总期限不超过二年（《中国共产党纪律处分条例》）"
        )
    elif facts.months != 12:
        problems[None] = (
            "二年的留党察看不能延长：留党察看最长不超过二年（《中国共产党纪律处分条例》）；期满仍不具备党员条件的，应开除党籍"
        )
    if not reason.strip():
        problems["reason"] = "请写明延长理由（期满时仍不具备恢复党员权利的条件）"
    if date is None:
        problems["date"] = "请填写延长决定日期"
    elif date > today:
        problems["date"] = "决定日期不能晚于今天"
    elif not problems.get(None):
        end = facts.end
        extended_end = add_months(end, EXTENSION_MONTHS)
        if date < end:
            problems["date"] = f"留党察看{_day(end)}期满，期满时才能决定延长（不能早于{_day(end)}）"
        elif date >= extended_end:
            problems["date"] = f"延长决定日期{_day(date)}已在延长后的期满日{_day(extended_end)}之后"
    return problems


def restoration_problems(facts: ProbationFacts, date: dt.date | None, today: dt.date) -> dict[str | None, str]:
    """恢复党员权利: only when the 留党察看 (with its extension) is over, on or after its end date."""
    if closed := closed_problem(facts):
        return {None: closed}
    if date is None:
        return {"date": "请填写恢复党员权利的日期"}
    if date > today:
        return {"date": "恢复党员权利的日期不能晚于今天"}
    end = facts.end
    if date < end:
        extended = "（含延长的一年）" if facts.extension_months else ""
        return {"date": f"留党察看{extended}{_day(end)}期满，期满前不能恢复党员权利"}
    return {}


# What the decision does to party posts (《中国共产党纪律处分条例》), as the post's record says it.
REMOVAL_TEXT = {
    SanctionKind.REMOVAL_FROM_POST: "受到撤销党内职务处分",
    SanctionKind.PROBATION: "受到留党察看处分，党内职务自然撤销",
    SanctionKind.EXPULSION: "被开除党籍",
}
REGULATION = "《中国共产党纪律处分条例》"
NO_RIGHTS = "没有表决权、选举权和被选举权，不能担任党内职务（《中国共产党基层组织选举工作条例》第五条）"


@dataclass(frozen=True)
class HeldPost:
    """A post of the member, as 撤销党内职务 names it."""

    title: str  # 中共兴丰村支部委员会书记
    since: dt.date
    until: dt.date | None


def removed_post_problem(
    name: str, kind: str, post: HeldPost | None, named: bool, has_posts: bool, decided_on: dt.date | None
) -> str | None:
    """撤销党内职务 names a post the member held on the decision date; no other sanction names one.
    ``named``: a post was given (``post`` is None when it is not one of the member's)."""
    if kind != SanctionKind.REMOVAL_FROM_POST:
        return "只有撤销党内职务需要选择所撤销的职务" if named else None
    if not named:
        if not has_posts:
            return (
                f"{name}没有登记党内职务：应当受到撤销党内职务处分但本人没有担任党内职务的，"
                f"应当给予严重警告处分（{REGULATION}）"
            )
        return "请选择撤销的党内职务"
    if post is None:
        return f"所选职务不是{name}担任的党内职务"
    if decided_on is not None and not (post.since <= decided_on and (post.until is None or decided_on < post.until)):
        held = f"自{_day(post.since)}起" if post.until is None else f"于{_day(post.since)}至{_day(post.until)}"
        return f"{name}{held}担任{post.title}，处分决定日期{_day(decided_on)}不在任职期间"
    return None


@dataclass(frozen=True)
class SanctionOnPosts:
    """A sanction as it bears on holding party posts: its dates and the posts it took away."""

    kind: str
    decided_on: dt.date
    effect_until: dt.date
    ending: str
    ended_on: dt.date | None
    posts: tuple[Post, ...]

    def probation_open_on(self, on: dt.date) -> bool:
        """A 留党察看 decided by ``on`` and not yet ended then (rights restored, 开除党籍): until
        its rights are restored by decision, even past its end date, the member holds no post."""
        return (
            self.kind == SanctionKind.PROBATION
            and self.decided_on <= on
            and (self.ended_on is None or on < self.ended_on)
        )

    def restriction(self) -> tuple[dt.date, dt.date] | None:
        """The two years without an equal or higher post: after a 撤销党内职务, or after the rights
        of a 留党察看 are restored (first day, first day after)."""
        if self.kind == SanctionKind.REMOVAL_FROM_POST:
            return self.decided_on, self.effect_until
        if self.kind == SanctionKind.PROBATION and self.ending == Ending.RESTORED and self.ended_on:
            return self.ended_on, post_restriction_until(self.ended_on)
        return None


def office_problem(name: str, sanctions: list[SanctionOnPosts], post: Post, on: dt.date) -> str | None:
    """Why the member may not take ``post`` on ``on`` (RULES.md §6.1): no post at all during a
    留党察看; for two years after a 撤销党内职务 or after the rights are restored, none equal to or
    higher than a post the sanction took away."""
    for sanction in sanctions:
        if sanction.probation_open_on(on):
            if on < sanction.effect_until:
                period = f"{_day(sanction.decided_on)}起，{_day(sanction.effect_until)}期满"
                return f"{name}正在留党察看期间（{period}），{NO_RIGHTS}"
            return f"{name}的留党察看已于{_day(sanction.effect_until)}期满，尚未恢复党员权利，不能担任党内职务"
    for sanction in sanctions:
        window = sanction.restriction()
        if window is None or not (window[0] <= on < window[1]):
            continue
        matched = [old for old in sanction.posts if equal_or_higher(post, old)]
        if not matched:
            continue
        original = max(matched, key=post_rank).title
        if sanction.kind == SanctionKind.PROBATION:
            why = f"{name}于{_day(window[0])}恢复党员权利"
        else:
            why = f"{name}受到撤销党内职务处分（{_day(sanction.decided_on)}）"
        return (
            f"{why}，二年内（至{_day(window[1])}）不得担任与原任职务（{original}）相当或者高于原任职务的职务"
            f"（{REGULATION}）"
        )
    return None


@dataclass(frozen=True)
class Standing:
    """What a member page shows of a sanction in force on a day."""

    label: str
    level: str  # danger, warning (Bootstrap's badge colours)


def standing(sanction: SanctionOnPosts, on: dt.date) -> Standing | None:
    """留党察看中, past its end awaiting the decision, 撤销党内职务 and the two years after a
    restoration (where posts were taken away), on ``on``; None otherwise."""
    if sanction.probation_open_on(on):
        if on < sanction.effect_until:
            return Standing(f"留党察看中（{_day(sanction.effect_until)}期满）", "danger")
        return Standing(f"留党察看已于{_day(sanction.effect_until)}期满，待恢复党员权利或处理", "danger")
    window = sanction.restriction()
    if window is None or not (window[0] <= on < window[1]):
        return None
    if sanction.kind == SanctionKind.REMOVAL_FROM_POST:
        return Standing(f"撤销党内职务（任职限制至{_day(window[1])}）", "warning")
    if sanction.posts:
        return Standing(f"恢复党员权利后任职限制（至{_day(window[1])}）", "warning")
    return None
