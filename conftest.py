"""The named fixture world every test can use (STYLE.md §6), built through the services.

中共示范县委员会 (county 党委)                      ← county_admin
├── 坪塘镇党委 (town)                               ← town_admin
│   ├── 兴丰村党支部 (village branch)                ← branch_admin; members 张三 (member_user), 李四
│   └── 新街社区党支部 (community branch)            members 王芳
└── 古山镇党委 (other town)                          ← other_admin
    └── 三环颜料有限公司党支部 (enterprise branch)    members 赵六
"""

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.test import Client

from dangjian.core.idnumber import check_character
from dangjian.core.models import Role, SecuritySettings, User
from dangjian.core.services import grant_role
from dangjian.members.models import Member
from dangjian.members.services import create_member, link_login
from dangjian.orgs.models import Organization, OrgKind, UnitCategory
from dangjian.orgs.services import create_organization, create_root_organization

T = TypeVar("T")


def make_id_number(birth: str, *, male: bool, region: str = "430122", sequence: int = 12) -> str:
    """A valid 18-digit ID number for a birth date (YYYY-MM-DD) and gender."""
    sequence = sequence * 2 + (1 if male else 0)
    first17 = f"{region}{birth.replace('-', '')}{sequence:03d}"
    return first17 + check_character(first17)


@dataclass
class World:
    county: Organization
    town: Organization
    village: Organization
    community: Organization
    other_town: Organization
    enterprise: Organization
    zhangsan: Member
    lisi: Member
    wangfang: Member
    zhaoliu: Member
    county_admin: User
    town_admin: User
    branch_admin: User
    member_user: User
    other_admin: User
    no_role: User
    system_admin: User
    security_admin: User
    audit_admin: User

    def client(self, user: User) -> Client:
        return signed_in(user)


def signed_in(user: User) -> Client:
    """A client with the session of a user just active: written directly, as Django's login and a
    first page would leave it, but without the login's signal, which writes a security-trail
    event, an access log row and the last login (about 12 ms on every test; logging in is tested
    through the login page)."""
    import time
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from dangjian.core.middleware import SessionPolicyMiddleware

    client = Client()
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SessionPolicyMiddleware.SEEN] = time.time()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = str(session.session_key)
    return client


PASSWORD = "Pw-for-tests-1"


def _user(username: str, home: Organization | None = None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, home_organization=home)


def build_world() -> World:
    county = create_root_organization(
        name="中共示范县委员会", short_name="县委", code="C0", kind=OrgKind.COMMITTEE, unit_category=UnitCategory.ORGAN
    )
    county_admin = _user("county_admin", county)
    grant_role(actor=None, user=county_admin, role=Role.ORG_ADMIN, organization=county)

    def org(parent: Organization, name: str, code: str, kind: OrgKind, unit: UnitCategory) -> Organization:
        return create_organization(
            actor=county_admin,
            parent=parent,
            name=name,
            code=code,
            kind=kind,
            unit_category=unit,
            founded_date=dt.date(1990, 1, 1),
        )

    town = org(county, "中共坪塘镇委员会", "T1", OrgKind.COMMITTEE, UnitCategory.TOWNSHIP)
    village = org(town, "中共兴丰村支部委员会", "T1-V1", OrgKind.BRANCH, UnitCategory.VILLAGE)
    community = org(town, "中共新街社区支部委员会", "T1-C1", OrgKind.BRANCH, UnitCategory.COMMUNITY)
    other_town = org(county, "中共古山镇委员会", "T2", OrgKind.COMMITTEE, UnitCategory.TOWNSHIP)
    enterprise = org(
        other_town, "中共三环颜料有限公司支部委员会", "T2-E1", OrgKind.BRANCH, UnitCategory.NON_PUBLIC_ENTERPRISE
    )

    def member(organization: Organization, name: str, birth: str, male: bool, sequence: int) -> Member:
        return create_member(
            actor=county_admin,
            organization=organization,
            name=name,
            id_number=make_id_number(birth, male=male, sequence=sequence),
            ethnicity="01",
            education="high_school",
            category="full",
            joined_date=dt.date(2000, 7, 1),
            regularized_date=dt.date(2001, 7, 1),
        )

    zhangsan = member(village, "张三", "1970-03-15", True, 1)
    lisi = member(village, "李四", "1972-05-20", True, 2)
    wangfang = member(community, "王芳", "1975-08-08", False, 3)
    zhaoliu = member(enterprise, "赵六", "1968-11-30", True, 4)

    town_admin = _user("town_admin", town)
    branch_admin = _user("branch_admin", village)
    member_user = _user("member_user", village)
    other_admin = _user("other_admin", other_town)
    grant_role(actor=county_admin, user=town_admin, role=Role.ORG_ADMIN, organization=town)
    grant_role(actor=county_admin, user=branch_admin, role=Role.BRANCH_ADMIN, organization=village)
    grant_role(actor=county_admin, user=other_admin, role=Role.ORG_ADMIN, organization=other_town)
    link_login(actor=county_admin, member=zhangsan, user=member_user)
    duties = {}
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        duties[role] = _user(role.value, county)
        grant_role(actor=None, user=duties[role], role=role, organization=county)
    # The security settings' row, which a deployment creates on its first request: without it
    # every test's first request would write it again.
    SecuritySettings.objects.get_or_create()
    return World(
        county=county,
        town=town,
        village=village,
        community=community,
        other_town=other_town,
        enterprise=enterprise,
        zhangsan=zhangsan,
        lisi=lisi,
        wangfang=wangfang,
        zhaoliu=zhaoliu,
        county_admin=county_admin,
        town_admin=town_admin,
        branch_admin=branch_admin,
        member_user=member_user,
        other_admin=other_admin,
        no_role=_user("no_role", town),
        system_admin=duties[Role.SYSTEM_ADMIN],
        security_admin=duties[Role.SECURITY_ADMIN],
        audit_admin=duties[Role.AUDIT_ADMIN],
    )


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Background jobs run inside the test, in its transaction.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session", autouse=True)
def _audit_checkpoints_of_the_session(tmp_path_factory: Any) -> Any:
    """The trail's checkpoints of a test session go to a file of its own, never to the
    development database's (var/audit-checkpoints.log)."""
    from django.test import override_settings

    with override_settings(AUDIT_CHECKPOINT_FILE=str(tmp_path_factory.mktemp("audit") / "checkpoints.log")):
        yield


@pytest.fixture(scope="session")
def _world_keys(django_db_setup: Any, django_db_blocker: Any) -> dict[str, tuple[Any, int]]:
    """The world is built once per session and committed; every test then runs inside a
    transaction that is rolled back, so each test sees the world as built (Django's
    setUpTestData, for the whole suite). Tests on transactional databases run last (pytest-django
    orders them so) and rebuild it after their flush (``live_world``)."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        world = build_world()
    return {name: (type(obj), obj.pk) for name, obj in vars(world).items()}


def load_world(keys: dict[str, tuple[Any, int]]) -> World:
    """The world's objects read from the database."""
    return World(**{name: model._default_manager.get(pk=pk) for name, (model, pk) in keys.items()})


_LOADED: list[World] = []  # the world as read once after it was built, for every test to copy


class CopiedWorld(World):
    """The world as read once, each object deep-copied the first time a test asks for it, with one
    memo for the test so that objects referring to each other still do (Django's setUpTestData
    copies its attributes the same way). A test uses a few of the nineteen objects: copying all of
    them took 2.6 ms a test."""

    def __init__(self, source: World) -> None:  # not the dataclass's: that would take every object
        self._source = source
        self._memo: dict[int, Any] = {}

    def __getattr__(self, name: str) -> Any:  # only for an object not yet copied
        if name.startswith("_"):
            raise AttributeError(name)
        copied = copy.deepcopy(getattr(self._source, name), self._memo)
        setattr(self, name, copied)
        return copied


@pytest.fixture
def world(_world_keys: dict[str, tuple[Any, int]], db: Any) -> World:
    """Fresh objects for one test, nothing cached on them from an earlier one: copies of the
    objects as read once (what Django's setUpTestData gives each test), not twenty queries a
    test. One query makes sure the world is still there."""
    if _LOADED and User.objects.filter(pk=_LOADED[0].county_admin.pk).exists():
        return CopiedWorld(_LOADED[0])
    try:
        loaded = load_world(_world_keys)
    except ObjectDoesNotExist:  # a transactional test flushed the database before this one
        _LOADED.clear()
        return build_world()
    _LOADED[:] = [loaded]
    return CopiedWorld(loaded)


def empty_the_registry() -> None:
    """The suite's world set aside (the demo county is built into an empty registry); the
    transaction around it brings the world back."""
    from dangjian.core.models import RoleAssignment
    from dangjian.members.models import MembershipPeriod

    RoleAssignment.objects.all().delete()
    MembershipPeriod.objects.all().delete()
    Member.objects.all().delete()
    User.objects.update(home_organization=None, acting_organization=None)
    Organization.objects.all().delete()


@pytest.fixture
def empty_registry(db: Any) -> None:
    """An empty registry for the test, inside its transaction."""
    empty_the_registry()


def built_for_the_module(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Data built once for the tests of a module (a demo county: seconds to build, only read by
    the tests), for a module-scoped fixture to ``yield from``: written in a transaction left open
    around the module's tests, each of which runs in a savepoint of it, and rolled back after the
    last. It is built into an empty registry (the world set aside inside the same transaction).
    The fixture must ask for ``_world_keys`` first, so that the world is not built inside it."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS, TASKS=IMMEDIATE_TASKS):
                empty_the_registry()
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once() -> Iterator[None]:
    """WhiteNoise lists and stats every static file each time a middleware chain is built, which a
    test client does for its first request (5 ms each, some 2,000 times a run). The files do not
    change during a run, so the first listing serves every later chain with the same settings."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        key = (self.static_prefix, self.max_age, self.allow_all_origins, self.charset, self.autorefresh)
        if key not in listed:
            before = set(self.files)
            original(self)
            listed[key] = {url: found for url, found in self.files.items() if url not in before}
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    # The cache outlives a test's database transaction (security settings, rate counters).
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        from django.conf import settings

        if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://... (CI does)")
