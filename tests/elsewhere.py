"""Another database session, committing on its own (another worker, admin, psql): how the
tests make a change that sends no Django signal to this process and wait for the database's
change notice of it (gis_app/web/rights_notices.py)."""
import select
import threading

import psycopg2
from django.db import connection, connections


class Elsewhere:
    """A session of its own; `execute` commits, `begin`/`commit` wrap a transaction."""

    def __init__(self):
        self.raw = psycopg2.connect(**connection.get_connection_params())
        self.raw.autocommit = True

    def execute(self, sql, params, wait=True):
        """Run `sql` (committed, unless inside `begin`), then, with `wait`, wait until its
        notice has reached this test's session: the database sends it on after the commit,
        within microseconds, not with it."""
        with self.raw.cursor() as cursor:
            cursor.execute(sql, params)
        if wait:
            self.wait()

    def begin(self):
        self.execute("BEGIN", [], wait=False)

    def commit(self):
        self.execute("COMMIT", [])

    def wait(self):
        readable, _, _ = select.select([connection.connection], [], [], 10)
        assert readable, "no change notice within 10 s"

    def close(self):
        self.raw.close()


def started_elsewhere(work, timeout=120):
    """Start `work` in a thread, so on a Django database session of its own (another worker
    running an import, say); returns `finish`, which waits for it and raises what it raised."""
    errors = []

    def run():
        try:
            work()
        except Exception as exc:    # raised by finish
            errors.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()

    def finish():
        worker.join(timeout)
        assert not worker.is_alive(), f"still running after {timeout} s"
        if errors:
            raise errors[0]
    return finish
