"""A throwaway PostgreSQL primary with a real streaming replica, for the replica tests.

The machine's own server (127.0.0.1:5432) allows no replication connections, and a test must
not change its configuration, so this makes a cluster of its own: `initdb` in a temporary
directory, a primary allowing replication on a free port, and a hot standby made by
`pg_basebackup --write-recovery-conf` streaming from it on another. It takes about a second.
PostgreSQL refuses to run as root, so as root the server programs run as `postgres`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import psycopg

from tests.conftest import TEST_MASTER_KEY, signing_key_file


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server programs under /usr/lib/postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StreamingReplica:
    """`primary_port` serves writes; `replica_port` is its hot standby."""

    def __init__(self) -> None:
        self.bin = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="caseledger-replica-"))
        self.as_server_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_server_user = ["runuser", "-u", "postgres", "--"]
        self.primary_port = _free_port()
        self.replica_port = _free_port()
        self._started: list[Path] = []

    def start(self) -> None:
        primary, standby = self.root / "primary", self.root / "standby"
        self._run("initdb", "-D", primary, "-A", "trust", "-U", "postgres", "--no-sync")
        settings = (
            f"port = {self.primary_port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\n"
            "wal_level = replica\n"
            "hot_standby = on\n"
            "fsync = off\n"  # a throwaway cluster: durability is not what is tested here
        )
        self._append(primary / "postgresql.conf", settings)
        self._append(primary / "pg_hba.conf", "host replication all 127.0.0.1/32 trust\n")
        self._pg_ctl(primary, "start")
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", standby, "--write-recovery-conf", "--wal-method=stream",
        )  # fmt: skip
        self._append(standby / "postgresql.conf", f"port = {self.replica_port}\n")
        self._pg_ctl(standby, "start")

    def stop(self) -> None:
        for data in reversed(self._started):
            self._run("pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def env(self, schema: str) -> dict[str, str]:
        """The ledger in `schema` on the primary, its views kept by a worker reading the
        replica."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": "postgres",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": str(self.primary_port),
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_REPLICA_HOST": "127.0.0.1",
            "POSTGRES_REPLICA_PORT": str(self.replica_port),
            "CASELEDGER_PROJECTIONS": "worker",
            "CASELEDGER_MASTER_KEY": TEST_MASTER_KEY,
            "CASELEDGER_SIGNING_KEY_FILE": signing_key_file(self.root),
            "CASELEDGER_WITNESSES": str(self.root / f"witness-{schema}"),
        }

    def new_schema(self) -> dict[str, str]:
        """A schema of its own for one test (the cluster is shared); `env` for it."""
        schema = f"t_{uuid.uuid4().hex[:12]}"
        self._sql(self.primary_port, f"CREATE SCHEMA {schema}")
        return self.env(schema)

    def on_replica(self, sql: str) -> None:
        self._sql(self.replica_port, sql)

    @staticmethod
    def _sql(port: int, sql: str) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but applies none of it: it lags, as under load."""
        self.on_replica("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")

    def _pg_ctl(self, data: Path, action: str) -> None:
        self._run("pg_ctl", "-D", data, "-l", data.with_suffix(".log"), "-w", action)
        self._started.append(data)

    def _run(self, program: str, *args: object, check: bool = True) -> None:
        command: Sequence[str] = [*self.as_server_user, str(self.bin / program), *map(str, args)]
        subprocess.run(command, check=check, capture_output=True, timeout=60)

    @staticmethod
    def _append(path: Path, text: str) -> None:
        with path.open("a") as f:  # root may write the server user's files
            f.write(text)
