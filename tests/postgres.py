"""A real, throwaway PostgreSQL server for the tests of the PostgreSQL catalogue: one cluster in a
temporary folder, on loopback only, trust authentication for the user `assistant`, database `assistant`.

Deliberate simplifications: durability is off (fsync, synchronous commit, full-page writes), since
the cluster is deleted after the run; as root, `initdb` and `pg_ctl` (which refuse to run as root)
run as the `postgres` user, who owns the cluster's folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from .helpers import free_port

USER = DATABASE = "assistant"
# Durability costs time and buys nothing for a cluster that is deleted after the run.
_FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def postgres_bin(name: str) -> str:
    """The path of PostgreSQL's `name` (initdb, pg_ctl): on PATH, else Debian's newest version."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version, reverse=True)), None
    )
    if found is None:
        raise PostgresUnavailableError(
            f"PostgreSQL's {name} was not found (on PATH or in /usr/lib/postgresql/*/bin): the catalogue tests "
            "need a PostgreSQL server; run `make postgres` (or: sudo apt-get install postgresql)"
        )
    return found


def _version(path: str) -> int:
    """The major version in a Debian path /usr/lib/postgresql/15/bin/initdb (0 if none)."""
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def fresh_schema_name() -> str:
    """A schema name no test used before (each test keeps its tables in its own schema of the one server)."""
    return "t_" + uuid.uuid4().hex[:12]


class PostgresServer:
    """A PostgreSQL cluster in `folder` (created by `start` on first use), on a free loopback port."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.running = False
        self._initialised = False

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        if self.running:
            return
        if not self._initialised:
            self._initdb()
        self._pg_ctl("start", "-w", "-l", str(self.log), "-o",
                     f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 {_FAST}")
        self.running = True
        if not self._initialised:
            self._create_database()
            self._initialised = True

    def stop(self) -> None:
        """Fast shutdown: open connections are ended, open transactions rolled back."""
        if self.running:
            self._pg_ctl("stop", "-w", "-m", "fast")
            self.running = False

    def restart(self) -> None:
        """Stop, then start again on the same port and data: what a client sees when its server restarts."""
        self.stop()
        self.start()

    def _initdb(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # The postgres user must reach the folder (a temporary folder is root's, mode 0700).
            shutil.chown(self.folder, "postgres", "postgres")
            for parent in self.folder.parents:
                if not parent.stat().st_mode & 0o001:
                    parent.chmod(parent.stat().st_mode | 0o111)
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8",
                  "--no-locale", "--no-sync")

    def _create_database(self) -> None:
        import psycopg

        # A linguistic collation, as a database created on a server in en_US usually has (not C, which
        # sorts as SQLite does): an ORDER BY that SQLite's byte order would agree with only by chance shows.
        with psycopg.connect(f"postgresql://{USER}@127.0.0.1:{self.port}/postgres", autocommit=True) as db:
            try:
                db.execute(f"CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8' "
                           "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
            except psycopg.Error:  # a server built without ICU
                db.execute(f"CREATE DATABASE {DATABASE}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), *args)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.is_file() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}\n{log}")


def temporary_server() -> tuple[PostgresServer, tempfile.TemporaryDirectory]:
    """A server (not started) in a new temporary folder; clean the folder up after stopping it."""
    folder = tempfile.TemporaryDirectory(prefix="assistant-postgres-")
    return PostgresServer(Path(folder.name) / "cluster"), folder
