"""The five jobs, the same for every tool: each tool (bench/peers/doccano.py,
labelstudio.py, ours.py) says how it does them (`Target`), these time them alike.

Standard library and the bench's load generator only (no Django): the peers' jobs run in
the comparison's own process, ours in one that has Django set up (bench/peers/ours.py).
"""

from __future__ import annotations

import statistics
import time
from typing import Protocol

from bench.loadgen import run_load
from bench.peers.procs import PeakMemory, time_limit
from bench.report import log

JOBS = ["open", "save1", "save16", "import", "export"]


class Target(Protocol):
    name: str
    host: str
    port: int

    def open_article(self) -> int:
        """Fetch the big article and its 2,000 spans as its reader does: bytes read."""

    def save_request(self, spans: list[list]) -> tuple[str, dict, list[str]]:
        """(path, headers, one body per span) of the span save, for the load generator."""

    def import_docs(self, docs: list[dict]) -> str:
        """Import the documents as a user would, waiting until they are in: a note."""

    def exports(self) -> list[str]:
        """The export formats measured (the first is the one compared)."""

    def export(self, fmt: str) -> int:
        """Export the imported spans in `fmt` as a user would: bytes received."""

    def server_pids(self) -> list[int]:
        """The server's processes (for the memory of the export)."""


def run_jobs(target: Target, data, options, only=JOBS) -> dict:
    """Each job under its own time limit; a job that fails is reported, the others run."""
    results = {}
    for job in only:
        log(f"{target.name}: {job}…")
        try:
            with time_limit(options.job_timeout, f"{target.name} {job}"):
                results[job] = JOB_FUNCTIONS[job](target, data, options)
        except Exception as exc:  # noqa: BLE001 - reported in the table, the next job runs
            log(f"{target.name}: {job} failed: {exc!r}")
            results[job] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        log(f"{target.name}: {job}: {results[job]}")
    return results


def job_open(target: Target, data, options) -> dict:
    for _ in range(3):
        size = target.open_article()
    times = []
    for _ in range(options.repeats):
        began = time.perf_counter()
        target.open_article()
        times.append(time.perf_counter() - began)
    return {"median": statistics.median(times), "n": len(times), "bytes": size}


def _load(target: Target, spans, **kwargs):
    path, headers, bodies = target.save_request(spans)
    result = run_load(target, path, headers, bodies, **kwargs)
    bad = {k: v for k, v in result.statuses.items() if not 200 <= k < 300}
    if bad or result.errors:
        log(f"{target.name}: non-2xx answers {bad}; errors {result.errors[:3]}")
    if not result.ok:
        raise RuntimeError(f"no save succeeded: {bad} {result.errors[:2]}")
    return result, bad


def job_save1(target: Target, data, options) -> dict:
    n = options.sequential
    result, bad = _load(target, data.saves[:n], clients=1, count=n, processes=1)
    return {"median": result.p(50), "n": len(result.latencies), "failed": sum(bad.values())}


def job_save16(target: Target, data, options) -> dict:
    spans = data.saves[options.sequential :]
    result, bad = _load(
        target, spans, clients=options.clients, duration=options.duration, warmup=1.0,
        processes=options.load_processes,
    )  # fmt: skip
    return {"throughput": result.throughput, "p50": result.p(50), "failed": sum(bad.values())}


def job_import(target: Target, data, options) -> dict:
    began = time.perf_counter()
    note = target.import_docs(data.docs)
    return {"seconds": time.perf_counter() - began, "note": note}


def job_export(target: Target, data, options) -> dict:
    out = {}
    for fmt in target.exports():
        with PeakMemory(target.server_pids) as memory:
            began = time.perf_counter()
            size = target.export(fmt)
            seconds = time.perf_counter() - began
        out[fmt] = {"seconds": seconds, "peak_mb": memory.peak, "before_mb": memory.before,
                    "bytes": size}  # fmt: skip
    return out


JOB_FUNCTIONS = {
    "open": job_open,
    "save1": job_save1,
    "save16": job_save16,
    "import": job_import,
    "export": job_export,
}
