"""Label Studio 1.23.2 as a user runs it from PyPI: `label-studio init` (migrations, the
admin and its API token), then `label-studio start` (Django's threaded server, its
default), on its default SQLite in a data directory of the comparison's own.

Nothing leaves the machine: error reports (Sentry, server and browser), usage analytics,
the check for a newer release on PyPI and remote feature flags are all turned off.

Its API: legacy token auth (`Authorization: Token …`, enabled at init), a project with a
`<Labels>` config over `<Text>`, tasks with their annotations imported as one JSON list
(`/api/projects/{id}/import`, synchronous in the Community edition), a span saved as an
annotation of one region (`/api/tasks/{id}/annotations/`), the task with its annotations
(`/api/tasks/{id}/`), exports from `/api/projects/{id}/export?exportType=…`.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.peers import venvs
from bench.peers.data import LABELS
from bench.peers.procs import Server, call_json
from bench.server import free_port, request

PACKAGES = ["label-studio==1.23.2"]
ADMIN, PASSWORD, TOKEN = "admin@peers.bench", "peers-bench-admin", "peersbenchtoken0123456789"
NO_OUTSIDE_CALLS = {
    "SENTRY_DSN": "",  # the server's error reports (its default DSN is HumanSignal's)
    "FRONTEND_SENTRY_DSN": "",  # the browser's
    "COLLECT_ANALYTICS": "false",  # usage events
    "LATEST_VERSION_CHECK": "false",  # asks pypi.org for a newer release
    "FEATURE_FLAGS_OFFLINE": "true",  # feature flags from LaunchDarkly
}
CONFIG = (
    '<View><Labels name="label" toName="text">'
    + "".join(f'<Label value="{label}"/>' for label in LABELS)
    + '</Labels><Text name="text" value="$text"/></View>'
)


def _region(body: str, span) -> dict:
    start, end, label = span[0], span[1], span[2]
    return {
        "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": start, "end": end, "text": body[start:end], "labels": [label]},
    }  # fmt: skip


def _task(doc: dict) -> dict:
    return {
        "data": {"text": doc["body"], "title": doc["title"]},
        "annotations": [{"result": [_region(doc["body"], s) for s in doc["spans"]]}],
    }


class LabelStudio:
    name = "Label Studio"

    def __init__(self, root: Path, options):
        self.root, self.options = root, options
        self.venv = root / "label-studio"
        self.home = root / "label-studio-home"
        self.host, self.port = "127.0.0.1", free_port()
        self.server: Server | None = None

    def env(self) -> dict:
        return venvs.clean_env(LABEL_STUDIO_BASE_DATA_DIR=str(self.home), **NO_OUTSIDE_CALLS)

    def prepare(self) -> None:
        venvs.ensure(self.venv, PACKAGES, fresh=self.options.fresh)
        ready = self.home / ".peers-initialised"
        if self.options.fresh or not ready.exists():
            venvs.reset(self.home)
            venvs.check_run(
                [str(self.venv / "bin" / "label-studio"), "init", "--username", ADMIN,
                 "--password", PASSWORD, "--user-token", TOKEN, "--enable-legacy-api-token"],
                env=self.env(), cwd=self.home, what="label-studio init (migrations: minutes)",
            )  # fmt: skip
            ready.touch()

    def start(self, data) -> None:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        self.server = Server(
            "Label Studio",
            [str(self.venv / "bin" / "label-studio"), "start", "--no-browser",
             "--internal-host", self.host, "--port", str(self.port)],
            env=self.env(), cwd=self.home, log_path=logs / "label-studio.log",
            host=self.host, port=self.port, ready_path="/health",
        ).start()  # fmt: skip
        for project in self.api("GET", "/api/projects/?page_size=1000")["results"]:
            self.api("DELETE", f"/api/projects/{project['id']}/")  # a previous run's
        self.open_project = self._project("peers: open and save")
        self._import(self.open_project, [data.article])
        tasks = self.api("GET", f"/api/tasks/?project={self.open_project}&page_size=1")
        self.task = tasks["tasks"][0]["id"]
        self.body = data.article["body"]

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def server_pids(self) -> list[int]:
        return self.server.pids() if self.server else []

    def headers(self) -> dict:
        return {"Authorization": f"Token {TOKEN}"}

    def api(self, method, path, payload=None):
        return call_json(self.host, self.port, method, path, payload, self.headers())

    def _project(self, title: str) -> int:
        return self.api("POST", "/api/projects/", {"title": title, "label_config": CONFIG})["id"]

    def _import(self, project: int, docs) -> dict:
        return self.api("POST", f"/api/projects/{project}/import", [_task(d) for d in docs])

    # --- The jobs ----------------------------------------------------------------------------

    def open_article(self) -> int:
        path = f"/api/tasks/{self.task}/?project={self.open_project}"
        status, _, body = request(self.host, self.port, "GET", path, headers=self.headers())
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return len(body)

    def save_request(self, spans):
        path = f"/api/tasks/{self.task}/annotations/?project={self.open_project}"
        headers = {**self.headers(), "Content-Type": "application/json"}
        bodies = [json.dumps({"result": [_region(self.body, s)]}) for s in spans]
        return path, headers, bodies

    def import_docs(self, docs) -> str:
        self.import_project = self._project("peers: import and export")
        answer = self._import(self.import_project, docs)
        if answer.get("task_count") != len(docs):
            raise RuntimeError(f"Label Studio imported {answer}")
        return f"one JSON list of {len(docs)} tasks with their annotations"

    def exports(self) -> list[str]:
        return ["JSON", "CSV"]

    def export(self, fmt: str) -> int:
        path = f"/api/projects/{self.import_project}/export?exportType={fmt}"
        status, _, body = request(self.host, self.port, "GET", path, headers=self.headers())
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        return len(body)
