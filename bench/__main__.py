"""`python -m bench`: read the options, set Django up, and run the rows (bench/run.py).

`make bench` runs it from the repository root with its environment (DEBUG off, a key of
its own); `make bench BENCH_ARGS="--quick"`, `BENCH_ARGS="--only P1,L1"`.
"""

from __future__ import annotations

import argparse
import os

import django

from bench.report import ROWS


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the main jobs (P1-P6) against baselines measured in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="Smaller sizes (< 1 minute).")
    parser.add_argument(
        "--only", default="", help="Comma-separated rows to run, e.g. P1,P3 (default: all)."
    )
    parser.add_argument(
        "--export-small", type=int, help="P3: claims in the smaller export (50,000)."
    )
    parser.add_argument(
        "--export-large", type=int, help="P3: claims in the larger export (1,000,000)."
    )
    parser.add_argument("--clients", type=int, default=16, help="P2: concurrent clients.")
    parser.add_argument(
        "--duration", type=float, help="P2: seconds of load per measurement (10; quick 2)."
    )
    parser.add_argument(
        "--workers", type=int, help="P2/P5: gunicorn workers (default 2 x CPU cores)."
    )
    parser.add_argument(
        "--load-processes", type=int, default=2, help="P2: load generator processes."
    )
    parser.add_argument("--saves", type=int, help="P5: saves in Chromium (50; quick 15).")
    return parser


def main() -> None:
    options = parser().parse_args()
    only = [r.strip().upper() for r in options.only.split(",") if r.strip()] or ROWS
    unknown = set(only) - set(ROWS)
    if unknown:
        raise SystemExit(f"Unknown rows: {', '.join(sorted(unknown))}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from bench.run import run  # the rows import the app's models: only once Django is set up

    run(options, only)


if __name__ == "__main__":
    main()
