"""The gunicorn the HTTP rows (P2, P5, L1) run against, and plain requests to it.

gunicorn runs `bench.server_settings` (the app's settings plus P2's baseline view) in its
own processes on loopback, against the same database as the bench.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings

from bench.report import log

BASE_DIR = Path(__file__).resolve().parent.parent
BARE_INSERT_PATH = "/__bench__/insert/{pk}/"  # mounted by bench.server_urls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(settings_module: str, **values: str) -> dict:
    """The environment of an app process the bench starts (a server, a worker): this one's,
    with DEBUG off, the same key, quiet logs, these settings and `values` on top."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    env.update(values)
    return env


class Gunicorn:
    """gunicorn (sync workers) on loopback with the bench settings, against the same
    database as this process (or the one `env` names: a test's); stopped (only this one, by
    its pid) on exit."""

    def __init__(self, workers: int, env: dict | None = None):
        self.workers = workers
        self.extra_env = env or {}
        self.port = free_port()
        self.host = "127.0.0.1"
        self.proc = None
        self.dir = tempfile.TemporaryDirectory(prefix="newsroom-bench-")
        self.log_path = Path(self.dir.name) / "gunicorn.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict:
        return process_env(
            "bench.server_settings",
            ALLOWED_HOSTS="127.0.0.1",
            PLAIN_STATIC_STORAGE="1",
            **self.extra_env,
        )

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
            "--config",  # the image's hooks (docker/entrypoint.sh): dictionaries loaded at start
            "python:newsroom.gunicorn_conf",
            "--workers",
            str(self.workers),
            "--bind",
            f"{self.host}:{self.port}",
            "--timeout",
            "120",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(  # noqa: S603
            command, cwd=BASE_DIR, env=self.env(), stdout=self.log_file, stderr=self.log_file
        )
        deadline = time.monotonic() + 120  # each worker loads the dictionaries first
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                status, _, _ = request(self.host, self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()[-3000:]}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn master and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as children:
                pids += [int(pid) for pid in children.read().split()]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / ticks

    def __exit__(self, *exc) -> None:
        if self.proc:
            stop(self.proc, timeout=15)
        self.log_file.close()
        errors = self.log_path.read_text()
        if "Traceback" in errors:
            log(f"gunicorn logged errors:\n{errors[-3000:]}")
        self.dir.cleanup()


def stop(proc: subprocess.Popen, *, timeout: float) -> None:
    """Stop a process the bench started (by its pid, nothing else): SIGTERM, then SIGKILL
    if it has not ended within `timeout` seconds."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def request(host, port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def csrf_token(server: Gunicorn, path: str, session: str) -> tuple[str, int]:
    """The CSRF cookie the app sets on a page (as a browser gets it), and that page's size."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    status, headers, body = request(
        server.host, server.port, "GET", path, headers={"Cookie": cookie}
    )
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return jar[settings.CSRF_COOKIE_NAME].value, len(body)
