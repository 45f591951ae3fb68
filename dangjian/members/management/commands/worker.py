"""``manage.py worker``: the task worker (django-tasks-db's ``db_worker``, same options) that also
fails the import jobs a dead process left running (``members.tasks.recover_interrupted``) and
refreshes the inbox (待办, ``core.inbox.refresh``) when it starts and on each new day, after writing
the month's dues ledger (``dues.services.generate_month``).

django-tasks offers no signal for a worker starting or idling, and a process that starts the
worker cannot tell a job of a dead process from one another live worker is running: only the
job's heartbeat can. A job whose process just died still has a fresh heartbeat when the worker
restarts a moment later, so looking once at the start is not enough: a thread of the worker
looks again every ``tasks.SWEEP``. Any number of workers may run; each job is failed once.

What falls due with the date alone (a letter expiring, a term reaching its end) shows only once
the inbox is refreshed: the same thread does it first thing (not before the worker takes tasks: a
county's refresh takes seconds) and again at the first sweep of each new day. Several workers
each refresh; a refresh is idempotent.
"""

import datetime as dt
import logging
import os
import threading
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from dangjian.core import inbox, sheet_pieces
from dangjian.dues import services as dues_services
from dangjian.members import tasks

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run the background worker (db_worker), fail the import jobs a dead process left behind and "
        "refresh the inbox daily"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload the command runs twice: in the watching parent and in the worker child.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            sweep()
            threading.Thread(target=_sweep_forever, name="import-recovery", daemon=True).start()
        super().handle(*args, **options)


def sweep() -> None:
    try:
        tasks.recover_interrupted()  # logs each job it fails
    except Exception:  # the database away for a moment: the next sweep
        logger.exception("looking for interrupted member imports failed")
    # A worker killed while cutting a large sheet leaves its copy of the rows in the temporary folder.
    sheet_pieces.remove_leftovers(tasks.STALE_AFTER.total_seconds())


def refresh_inbox(last: dt.date | None) -> dt.date | None:
    """Refresh the inbox unless it was refreshed today; the day it was, or ``last`` when it failed
    (the next sweep tries again)."""
    today = timezone.localdate()
    if last == today:
        return last
    try:
        # The month's dues ledger first (idempotent): the arrears the inbox reads are then current.
        dues_services.generate_month(today)
        outcomes = inbox.refresh(today)
    except Exception:  # the database away for a moment: the next sweep
        logger.exception("refreshing the inbox failed")
        return last
    logger.info("inbox refreshed for %s: %s", today, {o.source: (o.opened, o.updated, o.closed) for o in outcomes})
    return today


def _sweep_forever() -> None:
    refreshed = refresh_inbox(None)
    connection.close()
    stop = threading.Event()  # never set: the thread ends with the worker process
    while not stop.wait(tasks.SWEEP.total_seconds()):
        sweep()
        refreshed = refresh_inbox(refreshed)
        connection.close()  # this thread's own connection, not held between sweeps
