"""Database access for the backend and the worker.

In docker-compose taskhub runs on Postgres; tests and single-process local runs
use SQLite. SQL in this code base is written with ``?`` placeholders and the
subset of syntax both dialects accept; :class:`Database` rewrites placeholders
for Postgres and hides the differences in transaction handling.

URLs::

    sqlite:///taskhub.db            relative path
    sqlite:////var/lib/taskhub.db   absolute path
    sqlite://                       in-memory
    postgresql://user:pw@host/db    needs psycopg (see requirements.txt)
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Params = Sequence[Any]


class Database:
    """A single connection shared by all threads of the process.

    Statements are serialised with a lock. That is plenty for the API (short
    queries) and the worker (one job at a time).
    """

    def __init__(self, connection: Any, dialect: str) -> None:
        if dialect not in ("sqlite", "postgres"):
            raise ValueError(f"unsupported dialect: {dialect}")
        self.dialect = dialect
        self._conn = connection
        self._lock = threading.RLock()
        self._depth = 0

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Run a statement and return all rows."""
        with self._lock:
            cursor = self._conn.cursor()
            try:
                cursor.execute(self._sql(sql), tuple(params))
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
            finally:
                cursor.close()

    def run(self, sql: str, params: Params = ()) -> int:
        """Run a statement and return the number of affected rows."""
        with self._lock:
            cursor = self._conn.cursor()
            try:
                cursor.execute(self._sql(sql), tuple(params))
                return int(cursor.rowcount)
            finally:
                cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Group statements into one transaction.

        Nested calls join the outer transaction. On SQLite the transaction takes
        the write lock up front (``BEGIN IMMEDIATE``) so that a read followed by
        an update cannot interleave with another writer.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self.run("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self.run("ROLLBACK")
                raise
            else:
                self.run("COMMIT")
            finally:
                self._depth = 0

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        self.query("SELECT 1")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def connect(url: str) -> Database:
    """Open a :class:`Database` for ``url`` (see the module docstring)."""
    if url in ("sqlite://", "sqlite:///:memory:", ":memory:"):
        return _sqlite(":memory:")
    if url.startswith("sqlite:///"):
        return _sqlite(url.removeprefix("sqlite:///"))
    if url.startswith(("postgres://", "postgresql://")):
        # Imported lazily so that tests and SQLite deployments need only the
        # standard library.
        psycopg = importlib.import_module("psycopg")
        return Database(psycopg.connect(url, autocommit=True), "postgres")
    raise ValueError(f"unsupported database URL: {url!r}")


def _sqlite(path: str) -> Database:
    # isolation_level=None: autocommit; transactions are explicit (see above).
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 5000")
    if path != ":memory:":
        connection.execute("PRAGMA journal_mode = WAL")
    return Database(connection, "sqlite")
