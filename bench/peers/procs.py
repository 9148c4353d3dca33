"""Processes the peer comparison starts, and what it reads of them: a server that is waited
for and stopped (only its own process group, by its pid), the memory of a process tree,
a time limit for each job, a file upload's form. Plain requests are bench.server's; no
Django is set up for any of this."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from bench.server import request


class Server:
    """A command started in a process group of its own, with its output in `log_path`,
    ready once `ready()` is true; `stop()` ends that group (its own pids only)."""

    def __init__(self, name: str, command: list[str], *, env: dict, cwd, log_path: Path,
                 host: str, port: int, ready_path: str, start_timeout: float = 300):  # fmt: skip
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.log_path, self.host, self.port = log_path, host, port
        self.ready_path, self.start_timeout = ready_path, start_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603
            self.command, cwd=self.cwd, env=self.env, stdout=self.log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = request(self.host, self.port, "GET", self.ready_path)
                if status < 500:
                    return self
            time.sleep(0.3)
        self.stop()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{self.name} did not start:\n{tail}")

    @classmethod
    def adopt(cls, name: str, proc: subprocess.Popen) -> Server:
        """A process started elsewhere (in a session of its own), to stop like a server."""
        server = cls(name, [], env={}, cwd=None, log_path=Path(os.devnull), host="", port=0,
                     ready_path="")  # fmt: skip
        server.proc = proc
        return server

    def pids(self) -> list[int]:
        """The server's process and all its descendants."""
        if self.proc is None:
            return []
        return tree(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.proc is not None:
                os.killpg(self.proc.pid, signal.SIGKILL)  # what the group left behind
        with contextlib.suppress(AttributeError):
            self.log_file.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return total * os.sysconf("SC_PAGE_SIZE") / 1e6


class PeakMemory:
    """The peak resident memory of the processes `pids()` gives (summed), sampled every
    20 ms while the block runs; `before` is their memory when it began."""

    def __init__(self, pids):
        self.pids, self.peak, self.before = pids, 0.0, 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pids()))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self.before = self.peak = rss_mb(self.pids())
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def call_json(host, port, method, path, payload=None, headers=None, ok=(200, 201, 202, 204)):
    body = None if payload is None else json.dumps(payload).encode()
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    status, _, data = request(host, port, method, path, body, hdrs)
    if status not in ok:
        raise RuntimeError(f"{method} {path} answered {status}: {data[:500]!r}")
    return json.loads(data) if data else None


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Raise TimeoutError in this (main) thread when the block runs past `seconds`."""

    def expired(signum, frame):
        raise TimeoutError(f"{what}: more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def file_form(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body holding one file, as a browser uploads it, and its type."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
