"""Our side of the comparison, on one database: `python -m bench.peers.ours` in a process of
its own (DATABASE_URL says which database; the comparison runs it once for SQLite and once
for PostgreSQL), a JSON spec on stdin, the jobs' figures as JSON on stdout.

The server is `make bench`'s gunicorn (bench.server.Gunicorn). The jobs as a person does
them: the whole article page; the htmx claim save (as bench/saves.py sends it); the bulk
import of a JSONL file (`import_articles`, or the import page); the CSV export of the
imported claims.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode, urlparse

import django


def _database() -> None:
    """Create the comparison's PostgreSQL database when it is missing, then migrate."""
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    if url.scheme.startswith("postgres"):
        import psycopg

        name = url.path.lstrip("/")
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Ours:
    """The jobs against our gunicorn, signed in as the bench's reviewer."""

    def __init__(self, server, data, user, sources, door: str):
        from django.conf import settings

        from bench.data import make_article, session_for
        from bench.server import csrf_token

        self.server, self.host, self.port = server, server.host, server.port
        self.user, self.sources = user, sources
        spans = [(s, e) for s, e, _, _ in data.article["spans"]]
        self.article = make_article(data.article["body"], spans, user=user, sources=sources,
                                    rng=random.Random(1), title=data.article["title"])  # fmt: skip
        self.session = session_for(user)
        self.url = self.article.get_absolute_url()
        token, _ = csrf_token(server, self.url, self.session)
        self.cookies = (
            f"{settings.SESSION_COOKIE_NAME}={self.session}; {settings.CSRF_COOKIE_NAME}={token}"
        )
        self.token = token
        db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
        self.name = f"us ({db})"
        self.door = door

    def server_pids(self) -> list[int]:
        from bench.peers.procs import tree

        return tree(self.server.proc.pid)

    def open_article(self) -> int:
        from bench.server import request

        status, _, body = request(self.host, self.port, "GET", self.url,
                                  headers={"Cookie": self.cookies})  # fmt: skip
        if status != 200:
            raise RuntimeError(f"GET {self.url} answered {status}")
        return len(body)

    def save_request(self, spans):
        from django.urls import reverse

        ids = [s.pk for s in self.sources]  # the form picks a source by its id
        body = self.article.body
        headers = {
            "Cookie": self.cookies, "X-CSRFToken": self.token, "HX-Request": "true",
            "HX-Current-URL": self.server.url + self.url,
            "Content-Type": "application/x-www-form-urlencoded",
        }  # fmt: skip
        bodies = [
            urlencode({"start": s, "end": e, "quote": body[s:e], "label": label,
                       "source": "" if source is None else ids[source],
                       "version": self.article.version})
            for s, e, label, source in spans
        ]  # fmt: skip
        return reverse("annotations:claim-create", args=[self.article.pk]), headers, bodies

    def import_docs(self, docs) -> str:
        """The JSONL file through `import_articles` (the door README names for big files; run
        here in this warm process, as the peers' servers are warm), or with `--our-import
        web` through the bulk import page (gunicorn's 120 s limit applies)."""
        from annotations.models import Annotation
        from bench.data import EXPORT_OUTLET

        names = [s.name for s in self.sources]
        lines = "".join(
            json.dumps({
                "title": d["title"], "body": d["body"], "outlet": EXPORT_OUTLET,
                "url": f"https://bench.example/peers/{i}", "language": "en",
                "published_at": "2024-03-01T10:00:00+00:00",
                "claims": [{"start": s, "end": e, "quote": d["body"][s:e], "label": label,
                            "source": "" if source is None else names[source]}
                           for s, e, label, source in d["spans"]],
            }, ensure_ascii=False) + "\n"
            for i, d in enumerate(docs)
        ).encode()  # fmt: skip
        if self.door == "web":
            self._import_page(lines)
        else:
            self._import_command(lines)
        wanted = sum(len(d["spans"]) for d in docs)
        got = Annotation.objects.filter(article__outlet=EXPORT_OUTLET).count()
        if got != wanted:
            raise RuntimeError(f"the import wrote {got} of {wanted} claims")
        door = "the bulk import page" if self.door == "web" else "import_articles"
        return f"{door}, a JSONL file of {len(lines) / 1e6:.1f} MB"

    def _import_command(self, lines: bytes) -> None:
        import io
        import tempfile

        from django.core.management import call_command

        with tempfile.NamedTemporaryFile(suffix=".jsonl") as file:
            file.write(lines)
            file.flush()
            call_command("import_articles", file.name, user=self.user.username, verbosity=0,
                         stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

    def _import_page(self, lines: bytes) -> None:
        from django.urls import reverse

        from bench.peers.procs import file_form
        from bench.server import request

        form, content_type = file_form("file", "peers.jsonl", lines)
        headers = {"Cookie": self.cookies, "X-CSRFToken": self.token, "Content-Type": content_type}
        path = reverse("annotations:article-import")
        status, _, answer = request(self.host, self.port, "POST", path, form, headers)
        if status != 302:
            raise RuntimeError(f"the import page answered {status}: {answer[:300]!r}")

    def exports(self) -> list[str]:
        return ["CSV"]

    def export(self, fmt: str) -> int:
        from django.urls import reverse

        from bench.data import EXPORT_OUTLET
        from bench.server import request

        path = f"{reverse('annotations:export-csv')}?{urlencode({'outlet': EXPORT_OUTLET})}"
        status, _, body = request(self.host, self.port, "GET", path,
                                  headers={"Cookie": self.cookies})  # fmt: skip
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return len(body)


def main() -> None:
    spec = json.load(sys.stdin)
    options = argparse.Namespace(**spec["options"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from bench import data
    from bench.peers.data import PeerData
    from bench.peers.jobs import run_jobs
    from bench.report import log
    from bench.server import Gunicorn

    _database()
    data.cleanup()
    user, sources = data.bench_user("Reviewer"), data.bench_sources(10)
    peer_data = PeerData(Path(spec["dir"]))
    ours = None
    try:
        with Gunicorn(options.workers) as server:
            log(f"gunicorn: {options.workers} sync workers on {server.url}")
            ours = Ours(server, peer_data, user, sources, options.our_import)
            results = run_jobs(ours, peer_data, options, spec["jobs"])
    finally:
        data.cleanup([ours.session] if ours else [])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
