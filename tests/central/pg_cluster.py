"""A throwaway PostgreSQL cluster from Debian's binaries (initdb + pg_ctl) on a temporary
directory and a free port, with TLS (a self-signed certificate) and password logins over TCP.
PostgreSQL refuses to run as root: as root the cluster runs as `nobody`. Used by the tests of
tests/central and by bench/central.py."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "throwaway-superuser-pw"
RUN_AS = "nobody"


class ClusterFailed(RuntimeError):
    """The throwaway PostgreSQL could not be made or started (the message says why)."""


def pg_bin() -> Path:
    """Debian's newest PostgreSQL server binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        raise ClusterFailed("PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/"
                            "pg_ctl): apt-get install postgresql  — ./run tests does it")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster: URLs for its superuser and for any role."""

    root: Path
    port: int
    bin: Path
    cert: Path
    _running: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, user: str = SUPERUSER, password: str = SUPERUSER_PASSWORD,
            database: str = "postgres", **params: str) -> str:
        query = "&".join(f"{k}={quote(str(v), safe='/')}" for k, v in params.items())
        return (f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:"
                f"{self.port}/{database}" + (f"?{query}" if query else ""))

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [*as_user(), *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if check and proc.returncode != 0:
            log = (self.root / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ClusterFailed(f"{' '.join(args[:2])} failed ({proc.returncode}): "
                                f"{proc.stderr.strip() or proc.stdout.strip()}\n{tail}")
        return proc

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c ssl=on "
                   f"-c ssl_cert_file={self.cert} -c ssl_key_file={self.root / 'server.key'} "
                   "-c fsync=off -c full_page_writes=off -c max_connections=60 "
                   "-c shared_buffers=128MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-o", options, "-w", "-t", "60", "start")
        self._running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` ends sessions cleanly, `immediate` kills it like a crash."""
        if self._running:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                      "-t", "60", "stop", check=False)
            self._running = False

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def as_user() -> list[str]:
    """The command prefix that runs PostgreSQL's programs as an unprivileged user when root."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterFailed("running as root without `runuser`: cannot start PostgreSQL as "
                            f"the unprivileged user {RUN_AS}")
    return [runuser, "-u", RUN_AS, "--"]


def make_cluster() -> Cluster:
    """initdb a new cluster in a temporary directory, with TLS, and start it."""
    binaries = pg_bin()
    root = Path(tempfile.mkdtemp(prefix="novbe-pg-"))
    os.chmod(root, 0o755)
    cert, key = root / "server.crt", root / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    pwfile = root / "pwfile"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    os.chmod(key, 0o600)
    if os.geteuid() == 0:
        for path in (root, cert, key, pwfile):
            shutil.chown(path, RUN_AS)
    cluster = Cluster(root, free_port(), binaries, cert)
    try:
        cluster._run(str(binaries / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER,
                     "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                     "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(3):
            try:
                cluster.start()
                break
            except ClusterFailed:
                if attempt == 2:
                    raise
                cluster.port = free_port()   # someone took the port meanwhile
                time.sleep(0.2)
    except BaseException:
        with contextlib.suppress(Exception):
            cluster.destroy()
        raise
    return cluster
