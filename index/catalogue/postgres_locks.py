"""How writers on many hosts share one PostgreSQL catalogue: advisory locks, which PostgreSQL
releases by itself when the session holding them ends (a run killed with -9, a host that dies),
so no claim is ever stale.

- Every writer (an ingest run, an upload, a delete) holds the catalogue's *writer* lock in shared
  mode for as long as it writes, on a connection of its own.
- A writer claims each document before it reads, embeds and stores it (a session lock on the
  path): a second run meeting a claimed document leaves it to the run that holds it, and one
  meeting a document stored since it started finds it unchanged. No document is embedded twice.
- What only one writer may do, with nobody else writing (removing an interrupted run's vectors,
  repairing missing or orphan vectors, a health check), takes the writer lock exclusively: the
  last writer out does it, and a writer starting meanwhile waits for it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shlex
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..lock import IndexBusyError
from ..vectors import StoreUnavailableError

log = logging.getLogger("index.store")


def advisory_key(*parts: str) -> int:
    """A signed 64-bit advisory lock key for these parts (stable across processes and hosts).

    >>> advisory_key("writers", "assistant_documents") == advisory_key("writers", "assistant_documents")
    True
    """
    digest = hashlib.blake2b("\0".join(("cited-assistant", *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


BAD_URL = (
    "ASSISTANT_CATALOGUE_URL is not a PostgreSQL URL that parses: write it as "
    "postgresql://user:password@host:5432/database, with @ : / %% ? # and spaces in the user name or password "
    "percent-encoded (@ is %%40, / is %%2F)"
).replace("%%", "%")


def check_url(url: str) -> dict[str, str]:
    """The connection parameters of a PostgreSQL URL; ValueError (saying how to write one, never
    repeating it: it may hold a password) when it does not parse, or parses two ways (an
    unencoded @ or / in a password reads as part of the host to one parser and not the other).

    >>> check_url("postgresql://me:s%40cret@db:5433/assistant")["host"]
    'db'
    >>> check_url("postgresql://me:p/ss@db/assistant")
    Traceback (most recent call last):
    ValueError: ASSISTANT_CATALOGUE_URL is not a PostgreSQL URL that parses: ...
    """
    from urllib.parse import urlsplit

    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = urlsplit(url)
        port = parts.port
        info = {key: str(value) for key, value in conninfo_to_dict(url).items()}
    except Exception:  # whatever the parser says would quote the URL
        raise ValueError(BAD_URL) from None
    if parts.scheme not in ("postgresql", "postgres") or (parts.hostname or "") != info.get("host", "").lower() or (
            port is not None and str(port) != info.get("port")):
        raise ValueError(BAD_URL)
    return info


def where(url: str) -> str:
    """The server a URL names, for messages (never its password).

    >>> where("postgresql://me:secret@db.internal:5433/assistant")
    'PostgreSQL at db.internal:5433/assistant'
    >>> where("postgresql://me:p@ss@db/assistant")
    'PostgreSQL (ASSISTANT_CATALOGUE_URL does not parse)'
    """
    try:
        info = check_url(url)
    except ValueError:
        return "PostgreSQL (ASSISTANT_CATALOGUE_URL does not parse)"
    return f"PostgreSQL at {info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


@contextmanager
def unavailable(url: str) -> Iterator[None]:
    """Turn PostgreSQL's connection failures (server down, restarting, pool exhausted) into
    StoreUnavailableError, which the API answers with 503 and Retry-After."""
    import psycopg
    from psycopg_pool import PoolTimeout

    try:
        yield
    except (psycopg.OperationalError, PoolTimeout) as exc:
        if not connection_lost(exc):
            raise  # an error of the statement itself (a limit exceeded): retrying would not help
        raise StoreUnavailableError(
            f"the catalogue's {where(url)} cannot be reached ({_first_line(exc)}); start it or check "
            "ASSISTANT_CATALOGUE_URL. Requests work again as soon as it is back."
        ) from exc


class WriterLostError(StoreUnavailableError):
    """The writer's own PostgreSQL session ended (a restart, a failover, a proxy's timeout) while it
    wrote: its locks and claims are gone, so it writes nothing more (the next run repairs)."""


def connection_lost(exc: Exception) -> bool:
    """Whether PostgreSQL could not be reached or dropped the session: no connection (no SQLSTATE),
    a connection exception (08), too many connections (53300), a shutdown or restart (57P)."""
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith(("08", "57P")) or state == "53300"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def connect(url: str, **kwargs: Any) -> Any:
    """A connection of its own (autocommit), outside any pool; TCP keepalives find a peer that
    vanished (a host or a network gone) within a minute or so."""
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="cited-assistant",
                           keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3, **kwargs)


def _close(db: Any) -> None:
    """Release the session's advisory locks, then close it: a closed session's locks go only when
    its server process notices, and the next writer must find them gone."""
    try:
        db.execute("SELECT pg_advisory_unlock_all()")
    except Exception:  # a lost connection: its session, and its locks, are gone anyway
        pass
    finally:
        db.close()


_IDLE_CHECK_SECONDS = 2.0  # a pooled connection idle longer is checked before use


def returned(db: Any) -> None:
    """When a connection went back to the pool (the pool's `reset`)."""
    db.info_returned_at = time.monotonic()


def check_if_idle(db: Any) -> None:
    """Check a connection before use only when it sat idle a while: one that was just used is alive
    (a check is a round trip, at every one of the dozen reads a question makes), and one that sat
    through a restart is found dead here and replaced, not handed to a request."""
    from psycopg_pool import ConnectionPool

    if time.monotonic() - getattr(db, "info_returned_at", 0.0) > _IDLE_CHECK_SECONDS:
        ConnectionPool.check_connection(db)


class PostgresWriterLock:
    """The writer lock of one catalogue schema, with WriterLock's interface (acquire, release,
    held, holder) and the claims and exclusive sections of many writers; see the module docstring."""

    def __init__(self, url: str, schema: str):
        self.url, self.schema = url, schema
        self._key = advisory_key("writers", schema)
        self._db: Any = None
        self._pid: int | None = None  # the writer session's server process, whose locks commits check
        self._turn = threading.Lock()  # the writer's threads share its connection
        self._claims: set[str] = set()

    @property
    def held(self) -> bool:
        return self._db is not None

    def acquire(self, wait: bool = True) -> None:
        with unavailable(self.url):
            db = connect(self.url)
            try:
                self._record(db)
                if wait:
                    db.execute("SELECT pg_advisory_lock_shared(%s)", (self._key,))
                elif not db.execute("SELECT pg_try_advisory_lock_shared(%s)", (self._key,)).fetchone()[0]:
                    raise IndexBusyError(
                        f"the catalogue {self.schema} in {where(self.url)} is being repaired by another writer; run "
                        "again when that ends, or without --no-wait to wait for it"
                    )
            except BaseException:
                db.close()
                raise
        self._db, self._pid = db, db.info.backend_pid

    def check(self, db: Any) -> None:
        """Inside a transaction of the catalogue's (on `db`): WriterLostError unless this writer's
        session still holds its shared lock. A commit after the session ended could race another
        writer that, finding itself alone, removed this one's vectors."""
        if self._db is None:
            return
        unsigned = self._key & 0xFFFF_FFFF_FFFF_FFFF
        held = db.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND classid = %s "
            "AND objid = %s AND objsubid = 1 AND granted)", (self._pid, unsigned >> 32, unsigned & 0xFFFF_FFFF),
        ).fetchone()[0]
        if not held:
            raise WriterLostError(
                f"this writer's session with {where(self.url)} ended while it wrote (a restart or a failover): it "
                "stops here, and the next `assistant ingest` repairs what it left"
            )

    def release(self) -> None:
        db, self._db = self._db, None
        self._claims.clear()
        if db is not None:
            with self._turn:
                _close(db)

    def holder(self) -> str:
        return "other writers of the shared catalogue"

    @staticmethod
    def _record(db: Any) -> None:
        """Say who this writer is (pg_stat_activity shows it to whoever looks)."""
        who = f"{socket.gethostname()} pid {os.getpid()} since {time.strftime('%H:%M:%S')}: {shlex.join(sys.argv)}"
        db.execute("SELECT set_config('application_name', %s, false)", (("cited-assistant " + who)[:63],))

    def _execute(self, sql: str, args: tuple) -> Any:
        if self._db is None:
            raise RuntimeError("the writer lock is not held")
        with self._turn, unavailable(self.url):
            return self._db.execute(sql, args).fetchone()[0]

    # -- claims ------------------------------------------------------------------------------------

    def claim(self, path: str) -> bool:
        """Claim a document for this writer; False while another writer holds it."""
        if path in self._claims:
            return True
        if self._execute("SELECT pg_try_advisory_lock(%s)", (advisory_key("document", self.schema, path),)):
            self._claims.add(path)
            return True
        return False

    def release_claim(self, path: str) -> None:
        if path in self._claims and self._db is not None:
            self._claims.discard(path)
            self._execute("SELECT pg_advisory_unlock(%s)", (advisory_key("document", self.schema, path),))

    # -- sections only one writer may run -----------------------------------------------------------

    @contextmanager
    def alone(self) -> Iterator[bool]:
        """While this writer holds the lock: the block runs with no other writer (True), or, when
        others are writing, is told so at once (False) and the last of them does it instead."""
        got = bool(self._execute("SELECT pg_try_advisory_lock(%s)", (self._key,)))
        try:
            yield got
        finally:
            if got and self._db is not None:
                self._execute("SELECT pg_advisory_unlock(%s)", (self._key,))

    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[None]:
        """Hold the lock exclusively, outside any writer (a health check): waits for every writer
        to end, or raises IndexBusyError when `wait` is False and one is writing."""
        with unavailable(self.url):
            db = connect(self.url)
        try:
            with unavailable(self.url):
                # Tried again and again rather than queued: PostgreSQL would make every writer that
                # comes after a queued exclusive request wait behind it, for as long as the run it waits for.
                said = False
                while not db.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()[0]:
                    if wait:
                        if not said:
                            log.warning("waiting for the writers of the catalogue %s in %s to end", self.schema,
                                        where(self.url))
                            said = True
                        time.sleep(0.5)
                        continue
                    raise IndexBusyError(
                        f"the catalogue {self.schema} in {where(self.url)} is being written; run again when that "
                        "ends, or without --no-wait to wait for it"
                    )
            yield
        finally:
            _close(db)
