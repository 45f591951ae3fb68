"""What the demo county did in its last years, replayed through the apps' services: development
files at every stage (发展党员), transfers in every state (组织关系转接), mobile members registered
and received (流动党员), sanctions (党纪处分), the year's development plan and a merger of two
village branches (组织调整).

Each record is made by the service a user would call, as the demo login who would call it, with
the clock set to the day it happened (``on``): every rule of the services applies as of that day
(a letter accepted within its validity, nothing dated after "today"), and the times they stamp
(申请时间, 办理时间, the record history) read as that day. The stories run together in the order of
their days (``replay``), so a vote counts the members the branch had that day, the sanctions and
transfers before it included. The people of one story take part in no other.

A story is a generator: it yields the day of its next action, then does it when resumed. Drawn
from its own random stream (``activity-<seed>``): the county's members stay those the generator
wrote. Every app adds its story to ``STORIES`` (docs/development.md: each new app brings its
demo data).
"""

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dangjian.core.crypto import lookup_hash
from dangjian.core.models import User
from dangjian.members.models import Category, Member, Status
from dangjian.orgs.models import BRANCH_LEVEL_KINDS, Organization

from .people import PersonFactory

Story = Iterator[dt.date]
T = TypeVar("T")


class Unavailable(Exception):
    """The county is too small for a story (a demo of a few hundred members): it is left out."""


@contextmanager
def on(day: dt.date) -> Iterator[None]:
    """Run the block as on ``day`` at 10:00: the services read the date and the time through
    ``django.utils.timezone.now`` (``localdate`` too, and the models' auto_now fields), which this
    replaces for the block only. The demo command runs alone in its process."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    real = timezone.now
    setattr(timezone, "now", lambda: moment)  # noqa: B010 (mypy refuses assigning to a function)
    try:
        yield
    finally:
        setattr(timezone, "now", real)  # noqa: B010


def replay(stories: list[Story], today: dt.date) -> int:
    """Run the stories' actions in the order of their days (a story's own order kept); returns
    how many actions ran. An action dated after ``today`` is a bug of the story."""
    queue: list[tuple[dt.date, int, Story]] = []
    order = itertools.count()

    def advance(story: Story, first: bool = False) -> None:
        try:
            day = next(story, None)
        except Unavailable:
            if not first:
                raise
            return  # a story finds its people before its first action: too few, it is left out
        if day is not None:
            assert day <= today, f"a demo action dated {day}, after {today}"
            heapq.heappush(queue, (day, next(order), story))

    for story in stories:
        advance(story, first=True)
    actions = 0
    while queue:
        day, _, story = heapq.heappop(queue)
        with on(day):
            advance(story)
        actions += 1
    return actions


@dataclass
class Cast:
    """The demo logins who act, and the members the stories are about (each in one story only)."""

    rng: random.Random
    today: dt.date
    county: User
    pingtang: User
    gushan: User
    branch: User
    people: PersonFactory
    used: set[int] = field(default_factory=set)
    reserved: set[int] = field(default_factory=set)  # organizations one story changes: none for the others
    _branches: dict[tuple[int, int], list[Organization]] = field(default_factory=dict)

    @cached_property
    def root(self) -> Organization:
        return self._acting(self.county)

    @cached_property
    def login_branch(self) -> Organization:
        return self._acting(self.branch)

    @cached_property
    def _towns(self) -> dict[int, Organization]:
        return {login.pk: self._acting(login) for login in (self.pingtang, self.gushan)}

    def town(self, login: User) -> Organization:
        return self._towns[login.pk]

    @staticmethod
    def _acting(user: User) -> Organization:
        assignment = user.role_assignments.select_related("organization").get()
        return assignment.organization

    def admin_of(self, organization: Organization) -> User:
        """The town's administrator for its own organizations, the county's for the others."""
        for login in (self.pingtang, self.gushan):
            if organization.path.startswith(self.town(login).path):
                return login
        return self.county

    def writer_of(self, organization: Organization) -> User:
        """Who enters a branch's own steps: the branch secretary for the demo branch."""
        return self.branch if organization.pk == self.login_branch.pk else self.admin_of(organization)

    def branches(self, under: Organization, *, least: int = 12, exclude: tuple[int, ...] = ()) -> list[Organization]:
        """Live branches under ``under`` with at least ``least`` full members on the roll, by path."""
        key = (under.pk, least)
        if key not in self._branches:
            full = Q(
                members__category=Category.FULL,
                members__status=Status.NORMAL,
                members__deleted_at__isnull=True,
            )
            self._branches[key] = list(
                Organization.objects.filter(
                    path__startswith=under.path, kind__in=BRANCH_LEVEL_KINDS, abolished_date__isnull=True
                )
                .annotate(full=Count("members", filter=full))
                .filter(full__gte=least)
                .order_by("path")
            )
        return [branch for branch in self._branches[key] if branch.pk not in exclude and branch.pk not in self.reserved]

    def branch_in(self, under: Organization, **options: Any) -> Organization:
        return self.choice(self.branches(under, **options))

    def choice(self, candidates: list[T]) -> T:
        if not candidates:
            raise Unavailable
        return self.rng.choice(candidates)

    @staticmethod
    def full_members(branch: Organization) -> QuerySet[Member]:
        return Member.objects.filter(
            organization=branch, category=Category.FULL, status=Status.NORMAL, deleted_at__isnull=True
        ).order_by("id")

    def members(self, branch: Organization, count: int, *, since: dt.date | None = None) -> list[Member]:
        """``count`` full members of ``branch`` on the roll that no other story has, regularized
        before ``since`` if given."""
        pool = self.full_members(branch).exclude(pk__in=self.used)
        if since is not None:
            pool = pool.filter(regularized_date__lt=since, joined_date__lt=since)
        candidates = list(pool.values_list("pk", flat=True))
        if len(candidates) < count:
            raise Unavailable
        chosen = self.rng.sample(candidates, count)
        self.used.update(chosen)
        found = Member.objects.in_bulk(chosen)
        return [found[pk] for pk in chosen]

    def member(self, branch: Organization, **options: Any) -> Member:
        return self.members(branch, 1, **options)[0]

    def new_id_number(self, birth: dt.date, female: bool) -> str:
        """A valid ID number of someone not yet in the registry (an applicant, a member from outside)."""
        while True:
            number = self.people.id_number(birth, female)
            if not Member.objects.filter(id_hash=lookup_hash(number)).exists():
                return number


def unit_of(organization: Organization) -> str:
    """The unit an organization is set up in, from its name: 中共坪塘镇兴丰村第一支部委员会 → 坪塘镇兴丰村."""
    name = organization.name.removeprefix("中共")
    for ending in ("总支部委员会", "支部委员会", "工作委员会", "委员会"):
        if name.endswith(ending):
            name = name.removesuffix(ending)
            break
    for part in ("第一", "第二", "第三", "非公企业联合", "个体私营经济联合"):
        name = name.removesuffix(part)
    return name


StoryBuilder = Callable[[Cast], list[Story]]


def stories() -> list[StoryBuilder]:
    """Every app's demo story, in the order they are set up (each draws its people in turn)."""
    from . import development_story, discipline_story, mobility_story, restructure_story, transfer_story

    return [
        restructure_story.stories,  # first: it sets its branches aside before the others choose
        discipline_story.stories,
        transfer_story.stories,
        mobility_story.stories,
        development_story.stories,
    ]


@transaction.atomic
def build_activity(*, seed: int, today: dt.date, logins: dict[str, User]) -> int:
    """Replay the county's recent past; returns how many service calls it took."""
    rng = random.Random(f"activity-{seed}")
    cast = Cast(
        rng=rng,
        today=today,
        county=logins["county"],
        pingtang=logins["pingtang"],
        gushan=logins["gushan"],
        branch=logins["branch"],
        people=PersonFactory(random.Random(f"activity-people-{seed}"), today),
    )
    everything: list[Story] = []
    for builder in stories():
        everything += builder(cast)
    actions = replay(everything, today)
    # Organizational life comes last, in bulk: its attendance reads the roll the stories left; the
    # dues ledger too, on the same roll.
    from . import dues_story, meetings_story, stats_story

    meetings_story.write(cast)
    dues_story.write(cast)
    stats_story.write(cast)  # last: the report counts what everything above wrote
    return actions
