"""An event's details as an auditor reads them: each item named in Chinese, values as text."""

from typing import Any

from django import template

from dangjian.core.models import SecuritySettings

register = template.Library()

LABELS = {
    "what": "内容",
    "rows": "行数",
    "filters": "筛选条件",
    "role": "角色",
    "organization": "组织",
    "owner": "令牌所有人",
    "why": "原因",
    "username": "用户名",
    "records": "清除记录数",
    "path": "地址",
    "method": "请求方式",
    "message": "说明",
    "is_active": "账号状态",
    "ip": "IP 地址",
    "number": "编号",
    "full_id": "完整证件号码",
    "fields": "字段",
    "days": "有效期（天）",
}
VALUES = {True: "是", False: "否", None: "—"}


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return VALUES[value]
    if isinstance(value, dict):
        if set(value) == {"old", "new"}:
            return f"{_text(value['old'])} → {_text(value['new'])}"
        return "；".join(f"{LABELS.get(key, key)}：{_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_text(item) for item in value)
    return str(value)


def _label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    try:  # a security setting changed: its own name
        return str(getattr(SecuritySettings._meta.get_field(key), "verbose_name", key))
    except Exception:
        return key


ORDER = {key: position for position, key in enumerate(LABELS)}


def _position(item: tuple[str, Any]) -> tuple[int, str]:
    return ORDER.get(item[0], len(ORDER)), item[0]


@register.filter
def detail_rows(details: Any) -> list[tuple[str, str]]:
    """(name, value) for each item of an event's details, known items in the order of LABELS and
    the rest by name: PostgreSQL's jsonb keeps no insertion order, so the order is fixed here."""
    if not isinstance(details, dict):
        return [("详情", _text(details))] if details else []
    rows = []
    for key, value in sorted(details.items(), key=_position):
        if key == "is_active":
            rows.append((_label(key), "启用" if value else "停用"))
        else:
            rows.append((_label(key), _text(value)))
    return rows
