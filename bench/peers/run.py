"""One comparison: the data, each tool in turn (alone on the machine), the table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.peers import data as peer_data
from bench.peers.doccano import Doccano
from bench.peers.jobs import run_jobs
from bench.peers.labelstudio import LabelStudio
from bench.report import log

COLUMNS = {"doccano": "doccano 1.8.4", "label-studio": "Label Studio 1.23.2",
           "sqlite": "us SQLite", "postgresql": "us PostgreSQL"}  # fmt: skip
PEERS = {"doccano": Doccano, "label-studio": LabelStudio}


def run(options) -> None:
    tools = [t.strip() for t in options.only.split(",") if t.strip()]
    jobs = [j.strip() for j in options.jobs.split(",") if j.strip()]
    unknown = set(tools) - set(COLUMNS)
    if unknown:
        raise SystemExit(f"Unknown tools: {', '.join(sorted(unknown))}")
    if "export" in jobs and "import" not in jobs:
        raise SystemExit("The export exports what the import wrote: --jobs import,export")
    began, load_before = time.monotonic(), os.getloadavg()
    sizes = {"articles": 100, "saves": 6000} if options.quick else {}
    log(f"data in {options.dir}…")
    peer_data.build(options.dir / "data", **sizes)
    data = peer_data.PeerData(options.dir / "data")
    results = {}
    for tool in tools:
        loads = os.getloadavg()[0]
        if tool in PEERS:
            results[tool] = _peer(PEERS[tool](options.dir, options), data, options, jobs)
        else:
            results[tool] = _ours(tool, options, jobs)
        results[tool]["load_before"] = loads
    load_after = os.getloadavg()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f"`make peers` ({'quick' if options.quick else 'full'}), {stamp}, {os.cpu_count()} CPU "
        f"cores, {time.monotonic() - began:.0f} s; load average {load_before[0]:.1f} at the "
        f"start, {load_after[0]:.1f} at the end; gunicorn {options.workers} workers (doccano "
        f"and us); {options.clients} clients for {options.duration:g} s"
    )
    table = render(results, tools, data, options)
    table += "\n\nLoad average (1 min) as each began: " + ", ".join(
        f"{COLUMNS[t]} {results[t]['load_before']:.1f}" for t in tools
    )
    print(head + "\n\n" + table)
    out = options.dir.parent / f"peers-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    out.with_suffix(".md").write_text(head + "\n\n" + table + "\n")
    out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    log(f"written to {out}.md and .json")


def _peer(tool, data, options, jobs) -> dict:
    try:
        tool.prepare()
        log(f"{tool.name}: starting…")
        tool.start(data)
        return run_jobs(tool, data, options, jobs)
    except Exception as exc:  # noqa: BLE001 - the other tools still run; the table says so
        log(f"{tool.name} failed: {exc!r}")
        return {"error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    finally:
        tool.stop()


def _ours(tool: str, options, jobs) -> dict:
    db = options.postgres if tool == "postgresql" else f"sqlite:///{options.dir / 'ours.sqlite3'}"
    settings = {k: str(v) if k == "dir" else v for k, v in vars(options).items()}
    spec = {"dir": str(options.dir / "data"), "jobs": jobs, "options": settings}
    env = {**os.environ, "DATABASE_URL": db}
    log(f"{COLUMNS[tool]}: starting…")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.peers.ours"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(json.dumps(spec), timeout=options.job_timeout * (len(jobs) + 1))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own group: it and its gunicorn
        proc.wait()
        return {"error": "timed out"}
    if proc.returncode:
        return {"error": f"exited with {proc.returncode} (see above)"}
    return json.loads(out)


# --- The table -------------------------------------------------------------------------------

JOB_TITLES = {
    "open": "open a 100k-char article with 2,000 spans",
    "save1": "save one span, 1 client, median",
    "save16": "save, {clients} clients, {duration:g} s",
    "import": "import {articles} docs × {per} spans",
    "export": "export {spans:,} spans",
}
HOW = {
    "open": {"doccano": "JSON API", "label-studio": "JSON API", "ours": "whole HTML page"},
    "import": {
        "doccano": "JSONL file, Celery",
        "label-studio": "{articles} JSON rows",
        "ours": "{spans:,} claims + history",
    },  # fmt: skip
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def _figure(job: str, r: dict | None) -> tuple[str, float | None, float | None]:
    """(text, time in seconds or throughput, peak MB) of one tool's job."""
    if r is None:
        return "–", None, None
    if "error" in r:
        first = r["error"].splitlines()[0].replace("|", "/")
        return f"failed ({first[:70]}…; the log says more)", None, None
    if job in ("open", "save1"):
        return ms(r["median"]), r["median"], None
    if job == "save16":
        failed = f" ({r['failed']} refused)" if r.get("failed") else ""
        return f"{r['throughput']:.0f} req/s{failed}", r["throughput"], None
    if job == "import":
        return f"{r['seconds']:.1f} s", r["seconds"], None
    formats = list(r)
    times = " / ".join(f"{r[f]['seconds']:.1f} s {f}" for f in formats)
    peak = max(r[f]["peak_mb"] for f in formats)
    grew = max(r[f]["peak_mb"] - r[f]["before_mb"] for f in formats)
    best = min(r[f]["seconds"] for f in formats)
    return f"{times}; peak {_mb(peak)}, +{_mb(grew)} during it", best, grew


def _mb(mb: float) -> str:
    return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB"


def _versus(job: str, ours: float | None, best: float | None, our_mb=None, best_mb=None) -> str:
    if ours is None or best is None or ours <= 0 or best <= 0:
        return "–"
    if job == "save16":
        return f"{ours / best:.2f}×"
    factor = best / ours
    text = f"{factor:.1f}× faster" if factor >= 1 else f"{1 / factor:.1f}× slower"
    if our_mb is not None and our_mb < 5:  # within what sampling every 20 ms can tell
        text += ", memory did not grow (< 5 MB)"
    elif our_mb and best_mb:
        more = our_mb / best_mb
        text += f", {1 / more:.0f}× less growth" if more <= 1 else f", {more:.1f}× more growth"
    return text


def render(results: dict, tools: list[str], data, options) -> str:
    per = len(data.docs[0]["spans"]) if data.docs else 0
    sizes = {"articles": len(data.docs), "per": per, "spans": len(data.docs) * per}
    columns = [c for c in COLUMNS if c in tools]
    lines = ["| job | " + " | ".join(COLUMNS[c] for c in columns) + " | us vs best |",
             "|---" * (len(columns) + 2) + "|"]  # fmt: skip
    jobs = [j for j in JOB_TITLES if any(j in results[t] for t in columns)]
    for job in jobs:
        title = JOB_TITLES[job].format(clients=options.clients, duration=options.duration, **sizes)
        cells, figures = [], {}
        for tool in columns:
            text, value, mb = _figure(job, results[tool].get(job) if "error" not in results[tool]
                                      else results[tool])  # fmt: skip
            how = HOW.get(job, {}).get("ours" if tool in ("sqlite", "postgresql") else tool)
            if how and value is not None:
                text += f" ({how.format(**sizes)})"
            cells.append(text)
            figures[tool] = (value, mb)
        peers = [figures[t] for t in ("doccano", "label-studio") if t in figures and figures[t][0]]
        if peers:
            pick = max if job == "save16" else min
            best, best_mb = pick(peers, key=lambda f: f[0])
        else:
            best, best_mb = None, None
        versus = "; ".join(
            f"{'SQLite' if t == 'sqlite' else 'PG'}: "
            f"{_versus(job, figures[t][0], best, figures[t][1], best_mb)}"
            for t in ("sqlite", "postgresql") if t in figures
        )  # fmt: skip
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {versus or '–'} |")
    return "\n".join(lines)
