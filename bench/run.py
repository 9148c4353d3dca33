"""One run of the bench: the bench's data, the rows asked for, the clean-up, the table.

Imported by `python -m bench` once Django is set up (the rows import the app's models).
"""

from __future__ import annotations

import argparse
import os
import time

from django.conf import settings

from bench import data
from bench.api_create import api_rows
from bench.capture import capture_row
from bench.export import export_rows
from bench.highlight import browser_row
from bench.imports import import_rows
from bench.live import polling_row
from bench.page import page_row
from bench.reanchor import reanchor_row
from bench.report import ROWS, log, render_table
from bench.saves import save_rows
from bench.scale import scale_rows
from bench.server import Gunicorn
from bench.similar import similar_row
from bench.suggest import suggest_row


def server_workers(run: data.Run) -> int:
    return run.options.workers or 2 * (os.cpu_count() or 1)


def server_rows(run: data.Run, only) -> list[list[str]]:
    """P2, A1, P5, L1 and E1, against one gunicorn."""
    workers = server_workers(run)
    rows = []
    with Gunicorn(workers) as server:
        log(f"gunicorn: {workers} sync workers on {server.url}")
        if "P2" in only:
            rows += save_rows(run, server, workers)
        if "A1" in only:
            rows += api_rows(run, server, workers)
        if "P5" in only:
            rows += browser_row(run, server)
        if "L1" in only:
            rows += polling_row(run, server, workers)
        if "E1" in only:
            rows += capture_row(run, server)
    return rows


def run(options: argparse.Namespace, only: list[str]) -> None:
    if settings.DEBUG:
        log("warning: DEBUG is on; server times include its overhead (make bench turns it off)")
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    data.cleanup()
    bench = data.Run(options, user=data.bench_user("Reviewer"), sources=data.bench_sources(10))
    rows: list[list[str]] = []
    try:
        if "P1" in only:
            rows += page_row(bench)
        if {"P2", "A1", "P5", "L1", "E1"} & set(only):
            rows += server_rows(bench, only)
        if "P3" in only:
            rows += export_rows(bench)
        if "P4" in only:
            rows += import_rows(bench)
        if "P6" in only:
            rows += reanchor_row(bench)
        if "S1" in only:
            rows += similar_row(bench)
        if "S2" in only:
            rows += suggest_row(bench)
        if "M1" in only:
            rows += scale_rows(bench, server_workers(bench))
    finally:
        log("cleaning up the bench data…")
        data.cleanup(bench.session_keys)
    order = {n: i for i, n in enumerate(ROWS)}
    rows.sort(key=lambda r: order[r[0]])
    database = "PostgreSQL" if bench.pg else "SQLite"
    mode = "quick" if options.quick else "full"
    print(
        f"make bench ({mode}) on {database}, {os.cpu_count()} CPU cores, "
        f"{time.monotonic() - began:.0f} s; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(render_table(rows))
