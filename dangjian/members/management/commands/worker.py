"""``manage.py worker``: the task worker (django-tasks-db's ``db_worker``, same options) that also
fails the import jobs a dead process left running (``members.tasks.recover_interrupted``).

django-tasks offers no signal for a worker starting or idling, and a process that starts the
worker cannot tell a job of a dead process from one another live worker is running: only the
job's heartbeat can. A job whose process just died still has a fresh heartbeat when the worker
restarts a moment later, so looking once at the start is not enough: a thread of the worker
looks again every ``tasks.SWEEP``. Any number of workers may run; each job is failed once.
"""

import logging
import os
import threading
from typing import Any

from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from dangjian.core import sheet_pieces
from dangjian.members import tasks

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = "Run the background worker (db_worker) and fail the import jobs a dead process left behind"

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


def _sweep_forever() -> None:
    stop = threading.Event()  # never set: the thread ends with the worker process
    while not stop.wait(tasks.SWEEP.total_seconds()):
        sweep()
        connection.close()  # this thread's own connection, not held between sweeps
