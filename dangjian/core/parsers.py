"""The API's JSON parser, bounded: a body nested deeper than any request of this API needs, larger
than Django's own limit for form bodies, or not valid JSON is a 400 (413 for the size) with a
Chinese message, never a RecursionError (DRF's parser lets Python's decoder recurse once per
level, so a 100,000-deep array answered 500) or an English parse error."""

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, status

MAX_DEPTH = 32  # the deepest body of this API is about 4 levels (a split's parts, their members)
# A string, with its escapes, in one step (the unrolled form scans each character once).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求内容过大"
    default_code = "request_too_large"


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels, counted without recursion
    (brackets inside strings do not count; a malformed text may count wrong, and fails later)."""
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e309 reads as infinity
        raise ValueError("number out of range")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = parsers.get_encoding(dict(parser_context or {}))  # type: ignore[attr-defined]
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"请求内容过大（不能超过 {limit // 1024} KB）")
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise exceptions.ParseError(f"请求内容不是有效的 {encoding.upper()} 文本") from None
        if too_deep(text):
            raise exceptions.ParseError(f"请求内容嵌套层数过多（不能超过 {MAX_DEPTH} 层）")
        try:
            return json.loads(text, parse_float=_finite, parse_constant=_constant)
        except json.JSONDecodeError as error:
            raise exceptions.ParseError(
                f"请求内容不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列附近有误）"
            ) from None
        except (ValueError, RecursionError):  # NaN, Infinity, 1e309, an integer of thousands of digits
            raise exceptions.ParseError("请求内容不是有效的 JSON（含有超出范围的数值）") from None
