"""Progress of a running import, visible to the status view while the import's transaction is open.

Outside a transaction the job row is updated directly. Inside one (the write phase) an update
on our own connection would stay invisible until commit, so on PostgreSQL progress goes through
a second, autocommit connection. SQLite has one writer at a time: there the write phase reports
only when it ends.
"""

from __future__ import annotations

import logging
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from archives.models import ImportJob

logger = logging.getLogger(__name__)


class Progress:
    INTERVAL = 0.5  # seconds between writes

    def __init__(self, job_id: int | None = None, total: int = 0):
        self.job_id = job_id
        self.total = total
        self.done = 0
        self.phase = ""
        self._last = 0.0
        self._side = None

    def start(self, phase: str, total: int | None = None) -> None:
        self.phase = phase
        if total is not None:
            self.total = total
        self.flush(force=True)

    def advance(self, n: int) -> None:
        self.done += n
        self.flush()

    def flush(self, force: bool = False) -> None:
        if self.job_id is None:
            return
        now = time.monotonic()
        if not force and now - self._last < self.INTERVAL:
            return
        self._last = now
        done = min(self.done, self.total)
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(progress_done=done, progress_total=self.total, phase=self.phase)
            return
        if connection.vendor != "postgresql":
            return
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._side.cursor() as cursor:
                    # Never wait on a lock our own transaction might hold on the job row.
                    cursor.execute("SET lock_timeout = '500ms'")
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET progress_done = %s, progress_total = %s, phase = %s WHERE id = %s",  # noqa: S608 (table name from our model)
                    [done, self.total, self.phase, self.job_id],
                )
        except DatabaseError as exc:  # progress is best effort; the import goes on
            logger.warning("import %s: progress not recorded (%s)", self.job_id, exc)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
