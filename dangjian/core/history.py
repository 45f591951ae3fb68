"""Record history (django-simple-history): who changed which field from what to what, and when.

Every service runs under ``@service``: one transaction, and the acting user recorded on every
historical row written inside it, including rows written by libraries on the service's behalf
(treebeard saving a new node). Nothing here depends on a request, so changes made from the
command line are attributed too.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

_actor: ContextVar[Any] = ContextVar("history_actor", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    """simple-history's ``get_user``: the actor of the running service."""
    actor = _actor.get()
    return actor if getattr(actor, "pk", None) else None


@contextmanager
def recorded_by(actor: Any) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def service(func: Callable[P, R]) -> Callable[P, R]:
    """A state change: atomic, with its keyword ``actor`` recorded as the author of the history."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), recorded_by(kwargs.get("actor")):
            return func(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    user: Any
    kind: str  # 创建 / 修改 / 删除
    changes: list[Change]


KINDS = {"+": "创建", "~": "修改", "-": "删除"}


def entries(obj: models.Model, *, limit: int = 100, display: Callable[[str, Any], str] | None = None) -> list[Entry]:
    """The object's history, newest first, each change with the field's label and shown values.

    ``display(field, value)`` renders a value (masking personal data, for one); by default the
    choice label or the plain value."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])  # type: ignore[attr-defined]
    model = type(obj)
    show = display or (lambda name, value: shown(model, name, value))
    result = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None or record.history_type != "~":
            changes = []
        else:
            delta = record.diff_against(previous)
            changes = [
                Change(_label(model, c.field), show(c.field, c.old), show(c.field, c.new))
                for c in delta.changes
                if c.field not in ("updated_at",)
            ]
        result.append(Entry(record.history_date, record.history_user, KINDS.get(record.history_type, "修改"), changes))
    return result


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def shown(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    related_model = field.related_model if field.is_relation else None
    if isinstance(related_model, type) and issubclass(related_model, models.Model):
        related = related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    choices = dict(getattr(field, "flatchoices", None) or [])
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
