"""Writing the rows (step 3 of the package's map): a checked row (``Person``) becomes the member's
columns, with its ID and phone numbers encrypted and hashed and its name's pinyin, and its open
membership and status periods (``_batch``); on PostgreSQL the batch is encoded for COPY on the
checking side (``_encoded``), and ``_write`` sends it inside the batches' transaction (COPY there,
with the ids drawn from the sequence; ``bulk_create`` elsewhere, the ids given on insert).
"""

import datetime as dt
import uuid
from typing import Any, NamedTuple, TypeVar

from django.db.models import Model

from dangjian.core.bulk import RowWriter
from dangjian.core.crypto import encrypt_all, lookup_hashes
from dangjian.core.pinyin import name_keys

from ..models import Member, MembershipPeriod, StatusPeriod
from .base import PERIOD_REASON

M = TypeVar("M", bound=Model)


class Person(NamedTuple):
    """A valid row, ready to be written."""

    row: int
    organization: int
    name: str
    id_number: str
    gender: str
    ethnicity: str
    native_place: str
    birth_date: dt.date
    education: str
    degree: str
    occupation: str
    job: str
    phone: str
    address: str
    category: str
    joined_date: dt.date
    regularized_date: dt.date | None
    status: str
    status_date: dt.date | None
    left_reason: str
    is_central_household: bool
    since: dt.date
    org_path: str


MEMBER_FIELDS = (
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "native_place",
    "birth_date",
    "id_number",
    "id_hash",
    "id_tail",
    "education",
    "degree",
    "occupation",
    "job",
    "phone",
    "phone_hash",
    "phone_tail",
    "address",
    "category",
    "joined_date",
    "regularized_date",
    "is_central_household",
    "status",
    "status_date",
    "status_reason",
    "left_reason",
    "organization_id",
    "org_path",
    "created_at",
    "updated_at",
)
PERIOD_FIELDS = ("organization_id", "start", "end", "reason")  # after the member's id
STATUS_PERIOD_FIELDS = ("status", "start", "end", "reason", "left_reason")
# Each member's first version in its history (django-simple-history's table, written in the same
# COPY-or-insert pass): the member's columns, then when, why, "+" (created) and by whom.
HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user_id")
HISTORY_REASON = "党员信息导入"
HistoricalMember = Member.history.model


class _Batch(NamedTuple):
    """Rows ready for the tables, each starting with the member's id: drawn from the sequence by the
    checking side on PostgreSQL (where the batch is then encoded: ``_Encoded``), None elsewhere
    (given on insert)."""

    members: list[tuple[Any, ...]]
    periods: list[tuple[Any, ...]]
    statuses: list[tuple[Any, ...]]
    stamp: tuple[Any, ...]  # the history row's own columns (HISTORY_FIELDS), after the member's

    def history_rows(self, ids: list[Any]) -> list[tuple[Any, ...]]:
        return [(pk, *row[1:], *self.stamp) for pk, row in zip(ids, self.members, strict=True)]


def _batch(
    people: list[Person], id_hashes: list[uuid.UUID], ids: list[int | None], now: dt.datetime, actor_id: int | None
) -> _Batch:
    """The members with their open membership and status periods, and the first version of each
    in its history (created, by the actor, at the import's time)."""
    numbers = encrypt_all([p.id_number for p in people])
    phones = [p.phone for p in people if p.phone]
    sealed, hashed = iter(encrypt_all(phones)), iter(lookup_hashes(phones))
    return _Batch(
        members=[
            _member_row(pk, p, now, number, id_hash, (next(sealed), next(hashed)) if p.phone else (None, None))
            for pk, p, number, id_hash in zip(ids, people, numbers, id_hashes, strict=True)
        ],
        periods=[(pk, p.organization, p.since, None, PERIOD_REASON) for pk, p in zip(ids, people, strict=True)],
        statuses=[
            (pk, p.status, p.status_date or p.joined_date, None, "", p.left_reason)
            for pk, p in zip(ids, people, strict=True)
        ],
        stamp=(now, HISTORY_REASON, "+", actor_id),
    )


class _Encoded(NamedTuple):
    """A batch as the data of three binary COPYs (PostgreSQL), encoded on the checking side: the
    writer thread only sends bytes, so it no longer waits for the GIL while PostgreSQL waits for
    it (0.3 s of a 10^5-row import, measured)."""

    members: bytes
    periods: bytes
    statuses: bytes
    history: bytes
    rows: int


def _encoded(batch: _Batch) -> "_Batch | _Encoded":
    writer = RowWriter()
    if not writer.postgres:
        return batch
    return _Encoded(
        writer.encode(Member, ("id", *MEMBER_FIELDS), batch.members),
        writer.encode(MembershipPeriod, ("member_id", *PERIOD_FIELDS), batch.periods),
        writer.encode(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), batch.statuses),
        writer.encode(
            HistoricalMember,
            ("id", *MEMBER_FIELDS, *HISTORY_FIELDS),
            batch.history_rows([row[0] for row in batch.members]),
        ),
        len(batch.members),
    )


def _write(batch: "_Batch | _Encoded") -> int:
    """Write one batch (inside the batches' transaction): COPY on PostgreSQL, where the rows carry
    their ids (ids of a batch rolled back are simply skipped); elsewhere bulk_create gives the ids."""
    writer = RowWriter()
    if isinstance(batch, _Encoded):
        writer.write_encoded(Member, ("id", *MEMBER_FIELDS), batch.members)
        writer.write_encoded(MembershipPeriod, ("member_id", *PERIOD_FIELDS), batch.periods)
        writer.write_encoded(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), batch.statuses)
        writer.write_encoded(HistoricalMember, ("id", *MEMBER_FIELDS, *HISTORY_FIELDS), batch.history)
        return batch.rows
    ids = [member.pk for member in _bulk_create(Member, ("id", *MEMBER_FIELDS), batch.members)]
    periods = [(pk, *row[1:]) for pk, row in zip(ids, batch.periods, strict=True)]
    statuses = [(pk, *row[1:]) for pk, row in zip(ids, batch.statuses, strict=True)]
    writer.write(MembershipPeriod, ("member_id", *PERIOD_FIELDS), periods)
    writer.write(StatusPeriod, ("member_id", *STATUS_PERIOD_FIELDS), statuses)
    writer.write(HistoricalMember, ("id", *MEMBER_FIELDS, *HISTORY_FIELDS), batch.history_rows(ids))
    return len(batch.members)


def _bulk_create(model: type[M], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[M]:
    """The portable path (SQLite): model instances, their ids set by the database."""
    return model._default_manager.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows])


def _member_row(
    pk: int | None, person: Person, now: dt.datetime, number_sealed: bytes, id_hash: uuid.UUID, phone: tuple[Any, Any]
) -> tuple[Any, ...]:
    """The member's columns, personal data encrypted as ``EncryptedTextField`` stores it (the ID
    number sealed and hashed, the phone number sealed and hashed: done for the whole batch at once)."""
    (_, organization, name, number, gender, ethnicity, native_place, birth_date, education, degree,
     occupation, job, _, address, category, joined, regularized, status, status_date, left_reason,
     central, _, org_path) = person  # fmt: skip
    pinyin, initials = name_keys(name)
    return (
        pk,
        name,
        pinyin,
        initials,
        gender,
        ethnicity,
        native_place,
        birth_date,
        number_sealed,
        id_hash,
        number[-4:],
        education,
        degree,
        occupation,
        job,
        *phone,
        person.phone[-4:],
        address,
        category,
        joined,
        regularized,
        central,
        status,
        status_date,
        "",
        left_reason,
        organization,
        org_path,
        now,
        now,
    )
