"""``certcredit serve``: gunicorn with WhiteNoise, started as a user starts it, on its own SQLite file.

The server runs in a subprocess on a free loopback port for the tests of this module (bounded: each request has
a timeout, the server is stopped at the end). A held write lock on the SQLite file (what a long import does)
must not turn a token API call or a sign-in into a 500: reads go on, writes answer 503 with ``Retry-After``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
CSS = Path(__file__).resolve().parents[2] / "src" / "certcredit" / "web" / "static" / "certcredit.css"


@dataclass
class Server:
    port: int
    token: str
    database: Path

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


def environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CERTCREDIT_DEBUG")}
    env.update(CERTCREDIT_VAR=str(var), CERTCREDIT_SECRET_KEY="test-only-" + "k" * 40)
    env.update(CERTCREDIT_SQLITE_BUSY_TIMEOUT="1", CERTCREDIT_CACHE_DIR="")
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    env = environment(folder / "var")
    run = {"env": env, "cwd": folder, "capture_output": True, "text": True, "timeout": 180}
    assert subprocess.run([BIN / "certcredit", "demo"], **run).returncode == 0  # type: ignore[call-overload]
    made = subprocess.run([BIN / "certcredit", "token", "create", "member@example.org"], **run)  # type: ignore[call-overload]
    assert made.returncode == 0, made.stderr
    log = (folder / "server.log").open("w")
    # port 0: the kernel gives the server a free port as it binds (a port found free beforehand could be taken by
    # then); gunicorn names it in its log
    process = subprocess.Popen(
        [BIN / "certcredit", "serve", "--port", "0", "--workers", "2"],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (bound := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", (folder / "server.log").read_text())):
            assert process.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not bind within 120 s"
            time.sleep(0.1)
        started = Server(int(bound.group(1)), made.stdout.strip(), folder / "var" / "certcredit.sqlite3")
        while True:
            try:
                if started.request("GET", "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            time.sleep(0.2)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def sign_in(server: Server, password: str = "member-demo-pass") -> tuple[int, dict[str, str], bytes]:
    """GET the form (CSRF cookie and token), then POST the member's e-mail and password."""
    _status, headers, body = server.request("GET", "/login/")
    cookie = SimpleCookie(headers["set-cookie"])["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": "member@example.org", "password": password}
    return server.request(
        "POST",
        "/login/",
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}", "Referer": "x"},
    )


def test_the_server_is_gunicorn_and_serves_a_page_a_static_file_and_the_api(server: Server) -> None:
    status, headers, body = server.request("GET", "/login/")
    assert status == 200 and headers["server"].startswith("gunicorn") and b"Sign in" in body
    assert "default-src 'self'" in headers["content-security-policy"]
    status, headers, body = server.request("GET", "/static/certcredit.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and body == CSS.read_bytes()
    status, _headers, body = server.request("GET", "/api/me", headers={"Authorization": f"Bearer {server.token}"})
    assert status == 200 and json.loads(body)["email"] == "member@example.org"


def test_a_held_write_lock_gives_503_with_retry_after_to_writes_and_never_a_500(server: Server) -> None:
    bearer = {"Authorization": f"Bearer {server.token}"}
    lock = sqlite3.connect(server.database, timeout=10, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the write lock, as an import in progress holds it
    try:
        status, _headers, body = server.request("GET", "/api/me", headers=bearer)
        assert status == 200 and json.loads(body)["email"] == "member@example.org"  # a read is not held up

        status, headers, body = sign_in(server)  # signing in writes the session
        assert status == 503 and headers["retry-after"] == "5" and b"try again" in body

        status, headers, body = server.request(
            "POST", "/api/tokens", json.dumps({"name": "x"}).encode(), {**bearer, "Content-Type": "application/json"}
        )
        assert status == 503 and headers["retry-after"] == "5" and "try again" in json.loads(body)["message"]
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    status, headers, _body = sign_in(server)
    assert status == 302 and headers["location"] == "/"
