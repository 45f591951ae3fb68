"""The API schema in the interface's language: every operation carries a Chinese summary.

The standard actions of a viewset are named from its model's Chinese name (党员列表, 党员详情,
删除党员); an extra action (``@action``) names itself with ``extend_schema(summary=...)``.
``core/tests/test_api_schema.py`` fails for any operation left without one.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema

STANDARD = {
    "list": "{}列表",
    "retrieve": "{}详情",
    "create": "新建{}",
    "update": "修改{}",
    "partial_update": "修改{}",
    "destroy": "删除{}",
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
