"""The API schema as an integrator's generated client needs it.

- Every operation carries a Chinese summary: the standard actions of a viewset are named from its
  model's Chinese name (党员列表, 党员详情, 删除党员); an extra action (``@action``) names itself
  with ``extend_schema(summary=...)``. ``core/tests/test_smoke_pages.py`` fails for any operation
  left without one.
- Every operation declares the errors it can answer, in two shared shapes: ``FieldErrors`` for a
  400 (each field's messages, ``non_field_errors`` for the request as a whole) and ``Error`` for
  401 (with ``WWW-Authenticate``), 403, 404, 413, 415 and 429 (with ``Retry-After``).
- Every enum carries its members' names (``x-enum-varnames``: ``HAN``, not ``VALUE_0``) and their
  Chinese labels (``x-enum-descriptions``), read from the Django choices it was built from.
"""

import re
from typing import Any

from django.db import models
from drf_spectacular.openapi import AutoSchema

STANDARD = {
    "list": "{}列表",
    "retrieve": "{}详情",
    "create": "新建{}",
    "update": "修改{}",
    "partial_update": "修改{}",
    "destroy": "删除{}",
}


def _error(description: str, shape: str = "Error", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


ERRORS = {
    "400": _error("请求有误：各字段的错误信息", "FieldErrors"),
    "401": _error(
        "未登录，或令牌无效、已吊销、已过期",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}, "description": "认证方式：Token"}},
    ),
    "403": _error("无权执行此操作"),
    "404": _error("不存在或不在您的管理范围内"),
    "429": _error(
        "请求过于频繁",
        headers={"Retry-After": {"schema": {"type": "integer"}, "description": "多少秒后可以再试"}},
    ),
}
BODY_ERRORS = {"413": _error("请求内容过大"), "415": _error("请求体应为 JSON（Content-Type: application/json）")}

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "错误信息",
        "properties": {"detail": {"type": "string", "description": "错误信息（中文）"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": (
            "字段错误：键为字段名，值为该字段的错误信息列表；嵌套对象的错误按其字段嵌套（列表中的对象按位置）。"
            "non_field_errors 为整个请求的错误；请求体无法解析时为 detail。"
        ),
        "properties": {
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
            "detail": {"type": "string"},
        },
        "additionalProperties": {
            "anyOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": {}}],
        },
    },
}


class ChineseSummaries(AutoSchema):
    def get_summary(self) -> str | None:
        summary = super().get_summary()  # what extend_schema(summary=...) says, if it says anything
        if summary:
            return summary
        action = getattr(self.view, "action", None)
        name = self._model_name()
        if action in STANDARD and name:
            return STANDARD[action].format(name)
        return None

    def _model_name(self) -> str:
        queryset: Any = getattr(self.view, "queryset", None)
        model = getattr(queryset, "model", None)
        return str(model._meta.verbose_name) if model is not None else ""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors = ERRORS | (BODY_ERRORS if self.method in ("POST", "PATCH", "PUT") else {})
        return responses | {code: error for code, error in errors.items() if code not in responses}


def _choices_classes() -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    pending: list[type[Any]] = [models.Choices]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("dangjian.") and cls.choices:
            found.append(cls)
    # The tightest set first, so an enum takes the names of the class it was made from.
    return sorted(found, key=lambda cls: (len(cls.choices), cls.__module__, cls.__qualname__))


_LABEL_LINE = re.compile(r"^\* `(.*)` - (.*)$", re.MULTILINE)


def _identifier(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_").upper()


def enum_names_and_labels(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: name each enum's members and label them, and add the error shapes.

    The names come from the project's Choices class that holds every value of the enum (a subset,
    like the statuses a member may be set to, takes its names from the whole set); an enum of
    plain values (the development steps) is named from its component and the value. Labels come
    from the same class, else from the list spectacular writes into the description."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    classes = _choices_classes()
    for component, schema in schemas.items():
        values = schema.get("enum")
        if not values or "x-enum-varnames" in schema:
            continue
        source = next((c for c in classes if set(values) <= set(c.values)), None)
        if source is not None:
            members = {member.value: member for member in source}
            names = [members[value].name for value in values]
            labels = [str(members[value].label) for value in values]
        else:
            stem = _identifier(re.sub(r"(?<!^)(?=[A-Z])", "_", component.removesuffix("Enum")))
            written = dict(_LABEL_LINE.findall(schema.get("description", "")))
            names = [_identifier(str(v)) if not str(v)[:1].isdigit() else f"{stem}_{v}" for v in values]
            names = [name or "BLANK" for name in names]
            labels = [written.get(str(value), str(value)) for value in values]
        schema["x-enum-varnames"] = names
        schema["x-enum-descriptions"] = labels
    schemas.update(ERROR_SCHEMAS)
    return result
