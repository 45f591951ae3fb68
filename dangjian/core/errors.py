"""Errors that services raise; views and the API turn them into messages for the user."""

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A refused operation, with a Chinese message per field (``None`` = the whole operation).

    Services raise it before writing anything, so a refusal never leaves half a change behind.
    """

    def __init__(self, message: str | Mapping[Any, str | list[str]]):
        if isinstance(message, str):
            message = {None: message}
        self.errors: dict[str | None, list[str]] = {
            field: [text] if isinstance(text, str) else list(text) for field, text in message.items()
        }
        super().__init__("; ".join(m for texts in self.errors.values() for m in texts))

    @classmethod
    def collect(cls) -> "ErrorCollector":
        return ErrorCollector()


class ErrorCollector:
    """Gathers every problem of one input, so the user sees all of them at once, not one per try."""

    def __init__(self) -> None:
        self.errors: dict[str | None, list[str]] = {}

    def add(self, field: str | None, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainError(dict(self.errors))
