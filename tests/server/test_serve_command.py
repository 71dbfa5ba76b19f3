"""`novbe serve` as a real process: HTTPS with --certfile/--keyfile (a self-signed certificate
made by openssl), secure session cookies, and the open-file limit raised at start."""

from __future__ import annotations

import resource
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "leyla-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def low_file_limit() -> None:
    """In the child: start with the usual 1,024 open files (the hard limit stays)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    """`novbe serve --certfile --keyfile` on a free port, started with 1,024 open files."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = self_signed(tmp_path)
    db = tmp_path / "queue.sqlite"
    subprocess.run([sys.executable, "-m", "novbe", "--db", str(db), "staff", "add", "leyla",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
                   cwd=ROOT, capture_output=True, timeout=60)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "novbe", "--db", str(db), "serve",
                             "--port", str(port), "--certfile", str(cert), "--keyfile", str(key)],
                            cwd=ROOT, preexec_fn=low_file_limit, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                httpx.get(f"{url}/api/health", verify=ssl.create_default_context(cafile=str(cert)), timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "novbe serve did not start"
                time.sleep(0.2)
        yield url, cert, proc
    finally:
        proc.terminate()
        proc.wait(20)


def test_serve_speaks_https_with_a_secure_cookie(https_server):
    """Over HTTPS the console signs in and its session cookie is Secure; plain HTTP to the
    same port gets no answer."""
    url, cert, _ = https_server
    with httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=str(cert)), timeout=30) as client:
        assert client.get("/api/health").json()["ok"] is True
        response = client.post("/counter/login", data={"username": "leyla",
                                                       "password": PASSWORD})
        assert response.status_code == 303
        assert "secure" in response.headers["set-cookie"].lower()
    with pytest.raises(httpx.HTTPError):
        httpx.get(url.replace("https://", "http://") + "/api/health", timeout=5)


def test_serve_raises_the_open_file_limit(https_server):
    """Started with 1,024 open files, the server raises its own limit (up to the hard one)."""
    _, _, proc = https_server
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 1024:
        pytest.skip("the hard open-file limit is 1,024: nothing to raise")
    limits = Path(f"/proc/{proc.pid}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    assert int(line.split()[3]) > 1024, line


def test_half_a_tls_pair_is_refused(tmp_path: Path):
    """--certfile without --keyfile stops with a message instead of serving clear text."""
    done = subprocess.run([sys.executable, "-m", "novbe", "--db", str(tmp_path / "q.sqlite"),
                           "serve", "--port", str(free_port()), "--certfile",
                           str(tmp_path / "c.pem")], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "--keyfile" in done.stderr


def test_stopping_serve_with_a_board_stream_open_logs_no_traceback(tmp_path: Path):
    """SIGTERM to `novbe serve` while a board follows the event stream: the stream ends at
    once, the process ends by itself and its log has no ERROR and no traceback (uvicorn used to wait
    out its graceful time and cancel the stream: CancelledError)."""
    import signal

    db = tmp_path / "queue.sqlite"
    env = {**__import__("os").environ, "NOVBE_DATA": str(tmp_path / "data")}
    added = subprocess.run([sys.executable, "-m", "novbe", "--db", str(db), "device", "add",
                            "lobby", "--role", "board"], cwd=ROOT, env=env, text=True,
                           capture_output=True, check=True, timeout=60)
    token = added.stdout.split()[-1]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "novbe", "--db", str(db), "serve",
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                httpx.get(f"{url}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "novbe serve did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30) as board, board.stream(
                "GET", "/api/events/stream", headers={"Authorization": f"Bearer {token}"}) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")      # following: the stream is open
            proc.send_signal(signal.SIGTERM)
            rest = list(lines)                             # ends when the server ends it
        assert proc.wait(30) in (0, -signal.SIGTERM)   # uvicorn re-raises the signal it caught
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    assert "ERROR" not in err and "Traceback" not in err and "CancelledError" not in err, err
    assert all("error" not in line.lower() for line in rest)
