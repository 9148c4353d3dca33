"""PostgreSQL goes away and comes back: friendly 503s, then recovery without a restart.

A small TCP proxy sits between a real server process (runserver, DEBUG off) and the
PostgreSQL test database; "unplugging" it drops every connection and refuses new ones.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[1]


class Plug:
    """Forward 127.0.0.1:<port> to PostgreSQL while plugged in."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.plugged = True
        self.sockets: list[socket.socket] = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.plugged:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def unplug(self):
        self.plugged = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.sockets.clear()

    def plug(self):
        self.plugged = True

    def close(self):
        self.unplug()
        self.listener.close()


def _get(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=15) as response:  # noqa: S310 - our own http URL
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    db = connection.settings_dict
    plug = Plug(int(db["PORT"] or 5432))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{plug.port}/{db['NAME']}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PLAIN_STATIC_STORAGE": "1",
        "CONN_MAX_AGE": "60",
        "DB_CONNECT_TIMEOUT": "2",
        "LOG_LEVEL": "CRITICAL",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if _get(base + "/healthz")[0] in (200, 503):
                break
        except OSError:
            time.sleep(0.1)
    yield base, plug
    process.terminate()
    process.wait(10)
    plug.close()


def test_pages_answer_503_while_the_database_is_down_and_recover(server):
    base, plug = server
    assert _get(base + "/healthz")[0] == 200
    signed_in = "sessionid=" + "x" * 32  # any session cookie makes the page read the database
    assert _get(base + "/", signed_in)[0] == 302  # an unknown session: to the login page

    plug.unplug()
    status, body = _get(base + "/healthz")
    assert status == 503 and '"unavailable"' in body
    status, body = _get(base + "/", signed_in)
    assert status == 503
    assert "The claim database is not answering" in body and "Traceback" not in body

    plug.plug()  # the same server process, not restarted
    for _ in range(20):
        if _get(base + "/healthz")[0] == 200:
            break
        time.sleep(0.25)
    assert _get(base + "/healthz")[0] == 200
    assert _get(base + "/", signed_in)[0] == 302
