"""doccano 1.8.4 as a user runs it from PyPI: `doccano init`, `doccano createuser`, the web
server (its gunicorn, bound to loopback here) and `doccano task` (the Celery worker that
imports and exports), on its default SQLite in a data directory of the comparison's own.

Its API as its web client calls it: token auth (`/v1/auth/login/`), a sequence labelling
project that allows overlapping spans, files through filepond (`/v1/fp/process/`) then
`/v1/projects/{id}/upload`, exports through `/v1/projects/{id}/download`, each a Celery
task polled at `/v1/tasks/status/{id}`.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from bench.peers import venvs
from bench.peers.procs import Server, call_json, file_form
from bench.report import log
from bench.server import free_port, request

PACKAGES = ["doccano==1.8.4", *venvs.DOCCANO_PINS]
LOST_AFTER = 180  # seconds: the export of 50,000 spans takes about 30 at a load average of 11


class TaskLost(RuntimeError):
    """A Celery task that never reported done."""


ADMIN, PASSWORD = "admin", "peers-bench-admin"


class Doccano:
    name = "doccano"

    def __init__(self, root: Path, options):
        self.root, self.options = root, options
        self.venv = root / "doccano"
        self.home = root / "doccano-home"
        self.host, self.port = "127.0.0.1", free_port()
        self.servers: list[Server] = []
        self.token = ""
        self.locked = 0  # answers "database is locked" (500) while polling a task

    def env(self) -> dict:
        return venvs.clean_env(
            DOCCANO_HOME=str(self.home),
            STANDALONE="True",
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DATABASE_URL=f"sqlite:///{self.home / 'db.sqlite3'}",
            MEDIA_ROOT=str(self.home / "media"),
        )

    # --- Lifecycle ---------------------------------------------------------------------------

    def prepare(self) -> None:
        venvs.ensure(self.venv, PACKAGES, fresh=self.options.fresh)
        ready = self.home / ".peers-initialised"
        if self.options.fresh or not ready.exists():
            venvs.reset(self.home)
            cli = str(self.venv / "bin" / "doccano")
            for args in (["init"], ["createuser", "--username", ADMIN, "--password", PASSWORD]):
                venvs.check_run(
                    [cli, *args], env=self.env(), cwd=self.home, what=f"doccano {args[0]}"
                )
            ready.touch()

    def start(self, data) -> None:
        backend = next((self.venv / "lib").glob("python3*/site-packages/backend"))
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        web = Server(
            "doccano web server",
            [str(self.venv / "bin" / "gunicorn"), "config.wsgi", "--chdir", str(backend),
             "--bind", f"{self.host}:{self.port}", "--workers", str(self.options.workers),
             "--timeout", "600"],
            env=self.env(), cwd=self.home, log_path=logs / "doccano-web.log",
            host=self.host, port=self.port, ready_path="/v1/projects",
        )  # fmt: skip
        self.servers.append(web.start())
        worker = subprocess.Popen(  # noqa: S603 - `doccano task`: the Celery worker
            [str(self.venv / "bin" / "doccano"), "task"], env=self.env(), cwd=self.home,
            stdout=open(logs / "doccano-task.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
            start_new_session=True,
        )  # fmt: skip
        self.servers.append(Server.adopt("doccano task", worker))
        key = call_json(self.host, self.port, "POST", "/v1/auth/login/",
                        {"username": ADMIN, "password": PASSWORD})  # fmt: skip
        self.token = key["key"]
        for project in self.api("GET", "/v1/projects?limit=1000")["results"]:
            self.api("DELETE", f"/v1/projects/{project['id']}")  # a previous run's
        self.open_project = self._project("peers: open and save")
        self._import(self.open_project, [data.article])
        example = self.api("GET", f"/v1/projects/{self.open_project}/examples?limit=1")
        self.example = example["results"][0]["id"]
        types = self.api("GET", f"/v1/projects/{self.open_project}/span-types")
        self.label_ids = {t["text"]: t["id"] for t in types}

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def server_pids(self) -> list[int]:
        return [pid for server in self.servers for pid in server.pids()]

    # --- The API -----------------------------------------------------------------------------

    def headers(self) -> dict:
        return {"Authorization": f"Token {self.token}"}

    def api(self, method, path, payload=None):
        return call_json(self.host, self.port, method, path, payload, self.headers())

    def _project(self, name: str) -> int:
        project = self.api("POST", "/v1/projects", {
            "name": name, "description": "make peers", "guideline": "",
            "project_type": "SequenceLabeling", "resourcetype": "SequenceLabelingProject",
            "random_order": False, "collaborative_annotation": False,
            "allow_overlapping": True, "grapheme_mode": False, "use_relation": False, "tags": [],
        })  # fmt: skip
        return project["id"]

    def _wait(self, task_id: str, limit: float = 300) -> dict:
        """Poll the Celery task once a second until it is done. While the worker writes a big
        import, the web server's reads of SQLite can fail ("database is locked", a 500): its
        page polls on, and so does this, counting them. The worker can lose a task the same
        way (its result cannot be written: "reject requeue=False" in doccano-task.log), so
        after `limit` seconds the task counts as lost."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            code, _, answer = request(self.host, self.port, "GET", f"/v1/tasks/status/{task_id}",
                                      headers=self.headers())  # fmt: skip
            if code >= 500:
                self.locked += 1
            elif code != 200:
                raise RuntimeError(f"doccano's task status answered {code}: {answer[:300]!r}")
            else:
                status = json.loads(answer)
                if status["ready"]:
                    if status["error"]:
                        raise RuntimeError(f"doccano task failed: {status['error']}")
                    return status["result"]
            time.sleep(1.0)
        raise TaskLost(f"doccano's Celery task was not done after {limit:g} s (lost? see "
                       "logs/doccano-task.log)")  # fmt: skip

    def _import(self, project: int, docs: list[dict]) -> None:
        """A JSONL file (text and [start, end, label] spans) uploaded as its import page does."""
        lines = "".join(
            json.dumps({"text": d["body"], "label": [s[:3] for s in d["spans"]]},
                       ensure_ascii=False) + "\n"
            for d in docs
        ).encode()  # fmt: skip
        body, content_type = file_form("filepond", "peers.jsonl", lines)
        headers = {**self.headers(), "Content-Type": content_type}
        status, _, upload = request(self.host, self.port, "POST", "/v1/fp/process/", body, headers)
        if status != 200:
            raise RuntimeError(f"doccano upload answered {status}: {upload[:300]!r}")
        task = self.api("POST", f"/v1/projects/{project}/upload", {
            "uploadIds": [upload.decode().strip()], "format": "JSONL", "task": "SequenceLabeling",
            "column_data": "text", "column_label": "label", "encoding": "utf_8",
        })  # fmt: skip
        result = self._wait(task["task_id"])
        if result and result.get("error"):
            raise RuntimeError(f"doccano import errors: {result['error'][:3]}")

    # --- The jobs ----------------------------------------------------------------------------

    def open_article(self) -> int:
        base = f"/v1/projects/{self.open_project}/examples/{self.example}"
        size = 0
        for path in (base, f"{base}/spans"):
            status, _, body = request(self.host, self.port, "GET", path, headers=self.headers())
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            size += len(body)
        return size

    def save_request(self, spans):
        path = f"/v1/projects/{self.open_project}/examples/{self.example}/spans"
        headers = {**self.headers(), "Content-Type": "application/json"}
        bodies = [
            json.dumps({"start_offset": s, "end_offset": e, "label": self.label_ids[label]})
            for s, e, label, _ in spans
        ]
        return path, headers, bodies

    def import_docs(self, docs) -> str:
        self.import_project = self._project("peers: import and export")
        self.locked = 0
        self._import(self.import_project, docs)
        return f"JSONL file, Celery worker; {self.locked} polls answered 500 (SQLite locked)"

    def exports(self) -> list[str]:
        return ["JSONL"]

    def export(self, fmt: str) -> int:
        """The export as its page asks for it; a task the worker lost is asked for once more,
        as a person would (the time then includes the lost one's `LOST_AFTER` seconds)."""
        path = f"/v1/projects/{self.import_project}/download"
        for attempt in (1, 2):
            task = self.api("POST", path, {"format": fmt, "exportApproved": False})
            try:
                self._wait(task["task_id"], limit=LOST_AFTER)
                break
            except TaskLost:
                if attempt == 2:
                    raise
                log(f"doccano: the export task was lost after {LOST_AFTER} s; asking again")
        status, _, body = request(self.host, self.port, "GET", f"{path}?taskId={task['task_id']}",
                                  headers=self.headers())  # fmt: skip
        if status != 200:
            raise RuntimeError(f"doccano download answered {status}")
        return len(body)
