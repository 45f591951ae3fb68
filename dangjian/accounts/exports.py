"""Excel exports of the security trail (openpyxl, write-only: memory stays flat as rows grow)."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from dangjian.accounts.templatetags.audit_details import detail_rows
from dangjian.core import audit, excel
from dangjian.core.excel import workbook_with_header
from dangjian.core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("序号", "时间", "事件", "操作人账号", "IP 地址", "对象类型", "对象", "详情", "摘要")
WIDTHS = (8, 20, 16, 16, 16, 20, 30, 60, 66)
CHECKPOINT_USE = (
    "请妥善保存本文件。日后将校验点一行另存为文本文件，运行 manage.py verify_audit --checkpoints 该文件，"
    "可核对此后审计记录是否被删改或截断。"
)


class ExportResponse(HttpResponse):
    rows: int = 0


def audit_workbook(events: QuerySet[AuditEvent]) -> ExportResponse:
    workbook, sheet = workbook_with_header("安全审计", HEADERS, WIDTHS)
    rows = 0
    local = timezone.get_current_timezone()
    for event in events.iterator(chunk_size=2000):
        excel.append(
            sheet,
            [
                event.seq,
                event.at.astimezone(local).replace(tzinfo=None),
                event.get_event_display(),
                event.actor_name,
                event.ip or "",
                event.target_type,
                event.target_repr,
                "；".join(f"{name}：{value}" for name, value in detail_rows(event.details)),
                event.hash,
            ],
        )
        rows += 1
    _checkpoint_sheet(workbook)
    response = ExportResponse(content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    workbook.save(response)
    response.rows = rows
    return response


def _checkpoint_sheet(workbook: Workbook) -> None:
    """The chain's end as a signed checkpoint: the export the auditor keeps is then an anchor
    outside the server, checked later with ``manage.py verify_audit --checkpoints``."""
    last = audit.last_checkpoint()
    sheet = workbook.create_sheet("校验点")
    excel.set_widths(sheet, [24, 100])
    excel.append(sheet, ["导出时最后一个事件的序号", last[0] if last else 0])
    excel.append(sheet, ["校验点", last[1] if last else ""])
    excel.append(sheet, ["用途", CHECKPOINT_USE])
