"""Writing many rows at once: COPY on PostgreSQL, a plain executemany elsewhere; and batches of
them in one transaction, written while the next batch is being prepared.

Model instances and ``bulk_create`` cost tens of microseconds a row; COPY of ready tuples a few.
The demo county and the member import write this way.
"""

import datetime as dt
import gc
import io
import pickle
import queue
import re
import tempfile
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Field, Model
from psycopg.copy import FileWriter

_heavy_lock = threading.Lock()
_heavy_count = 0
_heavy_saved = True


@contextmanager
def heavy_row_work() -> Iterator[None]:
    """The cyclic garbage collector paused for a few seconds of building many rows (an import):
    the rows are many, live until written and hold no cycles, and its full passes over them cost
    0.9 s of a 10^5-row member import (4.73 s without them, 5.65 s with; medians of 5 on an
    idle machine). Reference counting still frees them.

    The collector is process-wide, so it comes back when the last such work in the process ends.
    Large imports run in the task worker's process, where nothing else waits on them."""
    global _heavy_count, _heavy_saved
    with _heavy_lock:
        if _heavy_count == 0:
            _heavy_saved = gc.isenabled()
            gc.disable()
        _heavy_count += 1
    try:
        yield
    finally:
        with _heavy_lock:
            _heavy_count -= 1
            if _heavy_count == 0 and _heavy_saved:
                gc.enable()


class RowWriter:
    """Appends rows to a table: COPY on PostgreSQL (several times faster than INSERT), a plain
    executemany elsewhere. Rows that carry explicit ids take them from ``reserve_ids`` (PostgreSQL)
    or move the id sequences past them after (``reset_sequences``)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def write(self, model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Append ``rows`` (values in the order of ``fields``)."""
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                # psycopg's copy() is not wrapped by Django: its errors become django.db ones here.
                with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [_portable(r) for r in rows])

    def encode(self, model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
        """``rows`` as the data of a COPY into the table in PostgreSQL's binary format (about three
        times cheaper to encode than text; the values must have exactly the columns' Python types,
        a date for a date, never a string), made ready here so that ``write_encoded``, maybe in
        another thread, only sends it."""
        stream = io.BytesIO()
        with connection.cursor() as cursor:
            copy = psycopg.Copy(cursor.cursor, binary=True, writer=FileWriter(stream))
            copy.set_types([_type_name(model, name) for name in fields])
            for row in rows:
                copy.write_row(row)
            copy.finish(None)
        return stream.getvalue()

    def write_encoded(self, model: type[Model], fields: tuple[str, ...], data: bytes) -> None:
        """Append rows encoded by ``encode``."""
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.write(data)

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        """``count`` ids from the table's own sequence (PostgreSQL): safe beside concurrent inserts,
        and the sequence needs no reset after."""
        if not self.postgres:
            raise RuntimeError("ids are reserved from a PostgreSQL sequence; elsewhere rows take theirs on insert")
        table = model._meta.db_table
        column = _column(model, model._meta.pk.name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            # One array, not a row per id: fetching 5,000 rows costs more than drawing the ids. The
            # sequence named by a constant: looked up per id (from a join) it cost 2 µs an id, 0.2 here.
            cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, count])
            return list(cursor.fetchone()[0])

    def reset_sequences(self, *models: type[Model]) -> None:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field.column


def _type_name(model: type[Model], name: str) -> str:
    """The column's type as psycopg names it: varchar(50) → varchar."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return re.sub(r"\(.*\)", "", field.db_type(connection) or "").strip()


def _portable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row as SQLite's driver takes it: dates as text, a uuid as its 32 hex digits (as Django stores it)."""
    return tuple(
        connection.ops.adapt_datetimefield_value(v)
        if isinstance(v, dt.datetime)
        else v.isoformat()
        if isinstance(v, dt.date)
        else v.hex
        if isinstance(v, uuid.UUID)
        else v
        for v in row
    )


class Batches(ABC):
    """Batches of rows written in one transaction, all or none: ``add`` each batch as it is ready,
    then ``commit`` (or ``abandon`` once it is known that nothing will be written).

    ``write(batch)`` writes one batch and returns its number of rows; ``finish(total)`` runs last,
    inside the same transaction (the audit entry). ``batches(...)`` picks how the rows go in."""

    @abstractmethod
    def add(self, batch: Any) -> None: ...

    @abstractmethod
    def abandon(self) -> None: ...

    @abstractmethod
    def commit(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...


def batches(
    write: Callable[[Any], int], finish: Callable[[int], None], *, on_disk: bool, concurrent: bool = True
) -> Batches:
    """Concurrent writes on PostgreSQL outside a transaction (the database inserts one batch while
    the caller prepares the next), else deferred ones (kept, ``on_disk`` in a temporary file, and
    written at the commit, inside the caller's transaction if there is one). ``concurrent=False``:
    deferred anyway (a single small batch is not worth a thread)."""
    if concurrent and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return ConcurrentBatches(write, finish)
    return DeferredBatches(write, finish, on_disk=on_disk)


class DeferredBatches(Batches):
    """Kept until the commit: in memory, or pickled to a temporary file (memory stays flat)."""

    def __init__(self, write: Callable[[Any], int], finish: Callable[[int], None], *, on_disk: bool) -> None:
        self.write, self.finish = write, finish
        self.kept: list[Any] = []
        self.file = tempfile.TemporaryFile() if on_disk else None  # noqa: SIM115 (closed by close())
        self.abandoned = False

    def add(self, batch: Any) -> None:
        if self.abandoned:
            return
        if self.file is None:
            self.kept.append(batch)
        else:
            pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def abandon(self) -> None:
        self.abandoned = True
        self.kept = []
        self.close()

    def commit(self) -> int:
        total = 0
        with transaction.atomic():
            for batch in self._kept():
                total += self.write(batch)
            self.finish(total)
        return total

    def _kept(self) -> Iterator[Any]:
        if self.file is None:
            yield from self.kept
            return
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)  # our own temporary file
            except EOFError:
                return

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


_END, _ABANDON = object(), object()


class _Abandoned(Exception):
    pass


class ConcurrentBatches(Batches):
    """Written by a thread on a connection of its own, in one transaction that commits when the
    caller commits and rolls back when it abandons. PostgreSQL inserts on one core while Python
    checks the next batch on the other; the queue is short, so memory stays flat."""

    def __init__(self, write: Callable[[Any], int], finish: Callable[[int], None]) -> None:
        self.write, self.finish = write, finish
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.total = 0
        self.error: BaseException | None = None
        self.done = False
        self.thread = threading.Thread(target=self._run, name="batches-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        told = None  # _END or _ABANDON, once the caller has said
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Foreign keys checked as each batch goes in (meanwhile), not all at the commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                while (batch := self.queue.get()) not in (_END, _ABANDON):
                    self.total += self.write(batch)
                told = batch
                if told is _ABANDON:
                    raise _Abandoned
                self.finish(self.total)
        except _Abandoned:
            pass
        except BaseException as error:  # handed to the caller's commit
            self.error = error
            while told is None:  # the caller goes on adding until it commits or abandons
                if (batch := self.queue.get()) in (_END, _ABANDON):
                    told = batch
        finally:
            connection.close()

    def add(self, batch: Any) -> None:
        if not self.done:
            self.queue.put(batch)

    def abandon(self) -> None:
        if not self.done:
            self.done = True
            self.queue.put(_ABANDON)
            self.thread.join()

    def commit(self) -> int:
        self.done = True
        self.queue.put(_END)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.total

    def close(self) -> None:
        self.abandon()
