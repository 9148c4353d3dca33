"""The machinery behind `manage.py bench` (annotations/management/commands/bench.py).

Text and data builders, clean-up, the gunicorn server the HTTP rows run against, the load
generator and the export runner (each in its own process: `python -m annotations.benchmarks
loadgen|export`), the Chromium driver and the table. Module level imports only the standard
library, so the load generator starts without Django.

Everything the bench writes is marked so it can be found and removed again, and nothing
else is touched: articles carry the outlet `BENCH_OUTLETS`, users and sources a
`make-bench` name.
"""

from __future__ import annotations

import bisect
import contextlib
import http.client
import io
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_OUTLET = "make bench"
EXPORT_OUTLET = "make bench (export)"
BENCH_OUTLETS = (BENCH_OUTLET, EXPORT_OUTLET)
USER_PREFIX = "make-bench-"
SOURCE_PREFIX = "make-bench source "
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


# --- Text ------------------------------------------------------------------------------------

WORDS = [
    "Kyiv",
    "says",
    "air",
    "defence",
    "downed",
    "drones",
    "overnight",
    "near",
    "Kharkiv",
    "according",
    "to",
    "officials",
    "Moscow",
    "did",
    "not",
    "confirm",
    "the",
    "figures",
    "residents",
    "reportedly",
    "evacuated",
    "shelling",
    "port",
    "Київ",
    "повідомив",
    "про",
    "збиті",
    "дрони",
    "🇺🇦",
    "“quoted”",
    "—",
    "front",
    "line",
]


def article_text(rng: random.Random, size: int) -> str:
    paragraphs, length = [], 0
    while length < size:
        sentence_count = rng.randint(2, 5)
        paragraph = " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(sentence_count)
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size].rstrip()


def spans(rng: random.Random, body: str, n: int) -> list[tuple[int, int]]:
    """Random spans of 10-160 characters that neither start nor end with whitespace, all
    different (one passage, verdict and source is one claim)."""
    result: dict[tuple[int, int], None] = {}
    while len(result) < n:
        start = rng.randrange(0, len(body) - 200)
        end = start + rng.randint(10, 160)
        text = body[start:end]
        if text.strip() == text and text:
            result[start, end] = None
    return list(result)


class WordSpans:
    """Spans from the start of a word to the end of a word, as a reader selects them."""

    def __init__(self, body: str):
        self.body = body
        n = len(body)
        self.starts = [
            i for i in range(n) if not body[i].isspace() and (i == 0 or body[i - 1].isspace())
        ]
        self.ends = [
            i
            for i in range(1, n + 1)
            if not body[i - 1].isspace() and (i == n or body[i].isspace())
        ]

    def pick(
        self, rng: random.Random, lo: int = 10, hi: int = 160, *, within=None, one_block=True
    ) -> tuple[int, int] | None:
        first, last = within or (0, len(self.body))
        a = bisect.bisect_left(self.starts, first)
        b = bisect.bisect_left(self.starts, last - lo)
        if a >= b:
            return None
        start = self.starts[rng.randrange(a, b)]
        k = bisect.bisect_left(self.ends, start + rng.randint(lo, hi))
        if k >= len(self.ends) or self.ends[k] > last:
            return None
        end = self.ends[k]
        if one_block and "\n" in self.body[start:end]:
            return None
        return start, end

    def many(self, rng: random.Random, n: int, *, nested_share=0.3, one_block_share=0.9):
        """n distinct spans; a share of them nested inside an earlier one (overlaps)."""
        found: list[tuple[int, int]] = []
        seen = set()
        while len(found) < n:
            if found and rng.random() < nested_share:
                outer = found[rng.randrange(len(found))]
                span = self.pick(rng, 5, 80, within=outer)
            else:
                span = self.pick(rng, one_block=rng.random() < one_block_share)
            if span and span not in seen:
                seen.add(span)
                found.append(span)
        return found


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


# --- Data ------------------------------------------------------------------------------------


def bench_user(role: str = "Editor"):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=f"{USER_PREFIX}{role.lower()}")
    user.groups.set([Group.objects.get(name=role)])
    return get_user_model().objects.get(pk=user.pk)  # fresh permission caches


def bench_sources(n: int) -> list:
    from annotations.anchoring import fold_name
    from annotations.models import Source, SourceAlias

    sources = []
    for i in range(n):
        name = f"{SOURCE_PREFIX}{i}"
        source, created = Source.objects.get_or_create(
            name_key=fold_name(name),
            defaults={"name": name, "review_status": Source.Review.APPROVED, "reliability": "B"},
        )
        if created:
            SourceAlias.objects.create(
                source=source, name=name, name_key=source.name_key, is_primary=True
            )
        sources.append(source)
    return sources


def make_article(body: str, span_list, *, user, sources, rng, outlet=BENCH_OUTLET, title=""):
    """An article and its claims, written directly (the bench's own data, not a job)."""
    from annotations import anchoring
    from annotations.models import Annotation, Article

    article = Article.objects.create(
        title=title or f"Bench article of {len(body):,} characters",
        body=body,
        body_hash=anchoring.body_hash(body),
        outlet=outlet,
        created_by=user,
    )
    claims = []
    for start, end in span_list:
        prefix, suffix = anchoring.context(body, start, end)
        label = rng.choice(Annotation.Label.values)
        source = None if label == "unattributed" else rng.choice(sources)
        claims.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                quote=body[start:end],
                prefix=prefix,
                suffix=suffix,
                label=label,
                source=source,
                credibility=rng.choice([None, 1, 2, 3, 6]),
                created_by=user,
                updated_by=user,
            )
        )
    Annotation.objects.bulk_create(claims, batch_size=2000)
    return article


def cleanup(session_keys=()) -> None:
    """Remove everything the bench wrote (marked articles, their claims and histories, the
    bench sources and users), also what a run that crashed left behind."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction

    from annotations.models import Annotation, Article, Source, SourceAlias

    marks = list(BENCH_OUTLETS)
    in_marks = ", ".join(["%s"] * len(marks))
    articles = f"SELECT id FROM {Article._meta.db_table} WHERE outlet IN ({in_marks})"  # noqa: S608
    sources = f"SELECT id FROM {Source._meta.db_table} WHERE name LIKE %s"  # noqa: S608
    like = SOURCE_PREFIX + "%"
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (Annotation.history.model._meta.db_table, Annotation._meta.db_table):
            cursor.execute(f"DELETE FROM {table} WHERE article_id IN ({articles})", marks)  # noqa: S608
        cursor.execute(
            f"DELETE FROM {Article.history.model._meta.db_table} WHERE outlet IN ({in_marks})",  # noqa: S608
            marks,
        )
        cursor.execute(f"DELETE FROM {Article._meta.db_table} WHERE outlet IN ({in_marks})", marks)  # noqa: S608
        for model in (SourceAlias.history.model, SourceAlias):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE source_id IN ({sources})",  # noqa: S608
                [like],
            )
        for model in (Source.history.model, Source):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE name LIKE %s", [like])  # noqa: S608
    Session.objects.filter(session_key__in=list(session_keys)).delete()
    get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
    with contextlib.suppress(Exception):  # django-axes logs the bench's force_login
        from axes.models import AccessLog

        AccessLog.objects.filter(username__startswith=USER_PREFIX).delete()


def session_for(user) -> str:
    """A signed-in session for `user`, written to the database the servers use."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- A gunicorn server ------------------------------------------------------------------------

# The bench's settings: the app's own, plus one URL for the baseline of P2 (a bare view that
# does one INSERT behind the same middleware), and static files served from the finders so
# no collectstatic is needed.
_SETTINGS = """
from newsroom.settings import *  # noqa: F401,F403

ROOT_URLCONF = "newsroom_bench_urls"
WHITENOISE_USE_FINDERS = True
"""

_URLS = '''
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from newsroom.urls import handler500, urlpatterns as app_urlpatterns  # noqa: F401


@require_POST
def bare_insert(request, pk):
    """P2's baseline: the same stack (middleware, session, user, CSRF), one INSERT."""
    now = timezone.now()
    data = request.POST
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO annotations_annotation (article_id, start, "end", quote, prefix, '
            "suffix, label, note, evidence_url, created_at, updated_at, anchor_state, "
            "original_quote, created_by_id, updated_by_id) "
            "VALUES (%s, %s, %s, %s, '', '', %s, '', '', %s, %s, 'anchored', '', %s, %s)",
            [pk, int(data["start"]), int(data["end"]), data["quote"], data["label"], now, now,
             request.user.pk, request.user.pk],
        )
    return HttpResponse(status=204)


urlpatterns = [*app_urlpatterns, path("__bench__/insert/<int:pk>/", bare_insert)]
'''

BARE_INSERT_PATH = "/__bench__/insert/{pk}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn (sync workers) on loopback with the bench settings, against the same
    database as this process; stopped (only this one, by its pid) on exit."""

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.host = "127.0.0.1"
        self.proc = None
        self.dir = tempfile.TemporaryDirectory(prefix="newsroom-bench-")
        self.log_path = Path(self.dir.name) / "gunicorn.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict:
        from django.conf import settings

        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="newsroom_bench_settings",
            DEBUG="0",
            SECRET_KEY=settings.SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1",
            PLAIN_STATIC_STORAGE="1",
            LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join([self.dir.name, str(BASE_DIR)]),
        )
        return env

    def __enter__(self) -> Gunicorn:
        Path(self.dir.name, "newsroom_bench_settings.py").write_text(_SETTINGS)
        Path(self.dir.name, "newsroom_bench_urls.py").write_text(textwrap.dedent(_URLS))
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi:application",
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
        deadline = time.monotonic() + 30
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
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        errors = self.log_path.read_text()
        if "Traceback" in errors:
            log(f"gunicorn logged errors:\n{errors[-3000:]}")
        self.dir.cleanup()


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
    from django.conf import settings

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


# --- The load generator (its own processes, http.client threads) ------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    sizes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the load generator's own CPU time

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


def run_load(
    server: Gunicorn,
    path: str,
    headers: dict,
    bodies: list[str],
    *,
    clients: int,
    processes: int,
    duration: float = 0.0,
    warmup: float = 0.0,
    count: int = 0,
    method: str = "POST",
    interval: float = 0.0,
) -> LoadResult:
    """POST `bodies` (each once, in order per client) from `clients` concurrent clients spread
    over `processes` load-generator processes, either for `duration` seconds after `warmup`
    seconds, or (`count`, one client) for a number of sequential requests. With `interval`,
    each client sends one request every `interval` seconds (as a polling tab does), the
    clients spread evenly over it; `method` GET sends each body as the query string."""
    processes = max(1, min(processes, clients))
    start_at = time.monotonic() + 1.5  # time for the processes to start
    procs = []
    for p in range(processes):
        threads = [t for t in range(clients) if t % processes == p]
        spec = {
            "host": server.host,
            "port": server.port,
            "path": path,
            "headers": headers,
            "bodies": [bodies[t::clients] for t in threads],
            "start_at": start_at,
            "warmup": warmup,
            "duration": duration,
            "count": count,
            "method": method,
            "interval": interval,
            "offsets": [interval * t / clients for t in threads],
        }
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "annotations.benchmarks", "loadgen"],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(json.dumps(spec))
        proc.stdin.close()
        procs.append(proc)
    result = LoadResult()
    for proc in procs:
        out = json.loads(proc.stdout.read())
        proc.wait()
        result.latencies += out["latencies"]
        result.statuses.update({int(k): v for k, v in out["statuses"].items()})
        result.sizes += out["sizes"]
        result.errors += out["errors"]
        result.seconds = max(result.seconds, out["seconds"])
        result.cpu_seconds += out["cpu_seconds"]
    return result


def _loadgen_main(spec: dict) -> dict:
    host, port, path, headers = spec["host"], spec["port"], spec["path"], spec["headers"]
    lock = threading.Lock()
    out = {"latencies": [], "statuses": Counter(), "sizes": [], "errors": []}
    measure_from = spec["start_at"] + spec["warmup"]
    stop_at = measure_from + spec["duration"]
    count = spec["count"]
    method = spec.get("method", "POST")
    interval = spec.get("interval", 0.0)

    def client(bodies: list[str], offset: float = 0.0) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        latencies, statuses, sizes, errors = [], Counter(), [], []
        time.sleep(max(0.0, spec["start_at"] + offset - time.monotonic()))
        # More requests than bodies: start over (the same spans tagged again).
        for i, body in enumerate(itertools.cycle(bodies)):
            if interval:
                time.sleep(max(0.0, spec["start_at"] + offset + i * interval - time.monotonic()))
            began = time.monotonic()
            if count and i >= count:
                break
            if not count and began >= stop_at:
                break
            try:
                if method == "GET":
                    conn.request("GET", f"{path}?{body}", headers=headers)
                else:
                    conn.request("POST", path, body=body.encode(), headers=headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                errors.append(repr(exc))
                continue
            ended = time.monotonic()
            if count or (began >= measure_from and ended <= stop_at):
                latencies.append(ended - began)
                statuses[response.status] += 1
                sizes.append(len(data))
                if response.status >= 300 and len(errors) < 3:
                    errors.append(f"{response.status}: {data[:300]!r}")
        conn.close()
        with lock:
            out["latencies"] += latencies
            out["statuses"].update(statuses)
            out["sizes"] += sizes
            out["errors"] += errors

    began = time.monotonic()
    cpu_began = time.process_time()
    offsets = spec.get("offsets") or [0.0] * len(spec["bodies"])
    threads = [
        threading.Thread(target=client, args=(b, o))
        for b, o in zip(spec["bodies"], offsets, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if count:
        out["seconds"] = time.monotonic() - max(began, spec["start_at"])
    else:
        out["seconds"] = spec["duration"]
    out["statuses"] = {str(k): v for k, v in out["statuses"].items()}
    out["cpu_seconds"] = time.process_time() - cpu_began
    return out


# --- The export, in its own process (for its peak memory) -------------------------------------


def run_export(outlet: str) -> dict:
    """Run `manage.py export_annotations --outlet …` (CSV to /dev/null) in a fresh process:
    its time (after Django start-up) and the process's peak resident memory, whole."""
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "annotations.benchmarks", "export", outlet],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"the export failed ({proc.returncode})")
    return json.loads(out)


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux keeps
    that across exec, so a child started by a big parent would report the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_main(outlet: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.core.management import call_command

    startup_mb = _peak_rss_mb()
    began = time.perf_counter()
    call_command(
        "export_annotations", outlet=outlet, output=os.devnull, verbosity=0, stderr=io.StringIO()
    )
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "startup_mb": startup_mb, "peak_mb": _peak_rss_mb()}


# --- Chromium ---------------------------------------------------------------------------------

# Code point offset -> DOM point inside [data-article-body] (as in tests/browser), a selection
# made from it, and a probe: from the "v" key press until a mark of a claim that was not on
# the page before is in the DOM (MutationObserver).
_PAGE_JS = """
(() => {
  const body = document.querySelector("[data-article-body]");
  const locate = (cp, side) => {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let count = 0, last = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let i = 0;
      while (i < n.data.length) {
        if (count === cp && side === "after") return [n, i];
        const c = n.data.codePointAt(i);
        i += c > 0xffff ? 2 : 1;
        count++;
        if (count === cp && side === "before") return [n, i];
      }
      last = n;
    }
    if (count === cp && last) return [last, last.data.length];
    throw new Error("offset " + cp + " is outside the body");
  };
  const known = () => new Set(Array.from(
    body.querySelectorAll("mark[data-annotation-id]"), (m) => m.dataset.annotationId));
  const bench = { pressedAt: null };
  window.addEventListener("keydown", (e) => {
    if (e.code === "KeyV") bench.pressedAt = performance.now();
  }, { capture: true });
  bench.select = (start, end) => {
    const r = document.createRange();
    r.setStart(...locate(start, "after"));
    r.setEnd(...locate(end, "before"));
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
    body.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, button: 0 }));
    return sel.toString();
  };
  bench.arm = () => {
    const before = known();
    bench.pressedAt = null;
    bench.done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        for (const m of body.querySelectorAll("mark[data-annotation-id]")) {
          if (!before.has(m.dataset.annotationId)) {
            observer.disconnect();
            resolve({ ms: performance.now() - bench.pressedAt, id: m.dataset.annotationId });
            return;
          }
        }
      });
      observer.observe(body, { childList: true, subtree: true });
    });
  };
  window.__bench = bench;
})();
"""


def browser_saves(server: Gunicorn, session: str, path: str, span_list) -> list[dict]:
    """Select each span, press "v", and time it until the new highlight is in the page."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server.url}]
            )
            page = context.new_page()
            page.goto(server.url + path)
            page.wait_for_selector("[data-article-body]")
            page.evaluate(_PAGE_JS)
            popover = page.locator("#claim-popover")
            for start, end in span_list:
                page.evaluate("([s, e]) => window.__bench.select(s, e)", [start, end])
                popover.wait_for(state="visible")
                page.evaluate("() => window.__bench.arm()")
                page.keyboard.press("v")
                results.append(page.evaluate("() => window.__bench.done"))
                popover.wait_for(state="hidden")
        finally:
            browser.close()
    return results


# --- The table --------------------------------------------------------------------------------

COLUMNS = ["#", "job", "measured", "baseline in the same run", "ratio", "target", "ok/MISSED"]


def render_table(rows: list[list[str]]) -> str:
    """A Markdown table, padded so it also reads as plain text."""
    widths = [max(len(str(r[i])) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(COLUMNS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        + [line(r) for r in rows]
    )


if __name__ == "__main__":
    if sys.argv[1] == "loadgen":
        print(json.dumps(_loadgen_main(json.load(sys.stdin))))
    elif sys.argv[1] == "export":
        print(json.dumps(_export_main(sys.argv[2])))
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]}")
