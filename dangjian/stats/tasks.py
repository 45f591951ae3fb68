"""Background work of the statistics (django-tasks; the worker is ``manage.py worker``).

A large subtree's report and dashboard (a county of 10^6 members: seconds) are computed here and
kept in ``Snapshot``, which the dashboard serves with the time it was computed. A snapshot runs once
per request for it: the task claims it (排队中 → 统计中), so a second delivery finds it claimed and
does nothing; the figures it had stay readable until the new ones are written together at the end.
"""

import logging

from django.utils import timezone
from django_tasks import task

from . import dashboard, engine
from .models import Snapshot, SnapshotState

logger = logging.getLogger(__name__)

FAILED = "统计时发生意外错误，请稍后点击“重新统计”再试；多次失败请联系系统管理员"
GONE = "该党组织已被删除，不再统计"


@task()
def compute_snapshot(snapshot_id: int) -> None:
    run(snapshot_id)


def run(snapshot_id: int) -> None:
    """Compute the report and the dashboard's series of one snapshot and keep them."""
    claimed = Snapshot.objects.filter(pk=snapshot_id, state=SnapshotState.QUEUED)
    if not claimed.update(state=SnapshotState.RUNNING, progress=5):
        return
    rows = Snapshot.objects.filter(pk=snapshot_id, state=SnapshotState.RUNNING)
    try:
        snapshot = Snapshot.objects.select_related("organization").get(pk=snapshot_id)
        organization = snapshot.organization
        if organization.deleted_at is not None:
            rows.update(state=SnapshotState.FAILED, progress=0, message=GONE)
            return
        report = engine.compute(organization, snapshot.day)
        rows.update(progress=55)
        series = dashboard.series(organization, snapshot.day, report.form)
        rows.update(progress=95)
        rows.update(
            state=SnapshotState.DONE,
            progress=100,
            form_code=report.form.code,
            figures=report.figures,
            parts=report.parts,
            series=series,
            members=dashboard.roll_size(organization),
            computed_at=timezone.now(),
            message="",
        )
    except Exception:
        logger.exception("stats snapshot %s failed", snapshot_id)
        rows.update(state=SnapshotState.FAILED, progress=0, message=FAILED)
