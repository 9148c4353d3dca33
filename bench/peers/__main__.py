"""`python -m bench.peers` (or `make peers`): doccano and Label Studio beside us, one table.

Options: `--fresh` (install the peers and initialise their data again), `--only
doccano,label-studio,sqlite,postgresql`, `--jobs open,save1,save16,import,export`,
`--quick` (smaller sizes, to try the script), `--dir` (default $PEERS_DIR or
bench-results/peers).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

import django

from bench.peers.jobs import JOBS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TOOLS = ["doccano", "label-studio", "sqlite", "postgresql"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__.split("\n")[0])
    p.add_argument("--dir", type=Path,
                   default=Path(os.environ.get("PEERS_DIR", BASE_DIR / "bench-results" / "peers")),
                   help="Where the peers' virtualenvs, data and logs go.")  # fmt: skip
    p.add_argument("--fresh", action="store_true", help="Reinstall the peers, start from no data.")
    p.add_argument("--only", default=",".join(TOOLS), help=f"Some of {','.join(TOOLS)}.")
    p.add_argument("--jobs", default=",".join(JOBS), help=f"Some of {','.join(JOBS)}.")
    p.add_argument("--postgres", default=os.environ.get(
        "PEERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peers_bench"),
        help="Our PostgreSQL database (created and migrated when missing).")  # fmt: skip
    p.add_argument("--our-import", choices=["command", "web"], default="command",
                   help="Our import: import_articles (default) or the page.")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="Smaller sizes and shorter loads.")
    p.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                   help="gunicorn workers, doccano's and ours (2 x cores).")  # fmt: skip
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, help="Seconds of concurrent saves (20; quick 5).")
    p.add_argument("--repeats", type=int, help="Opens of the article timed (30; quick 7).")
    p.add_argument("--sequential", type=int, help="Sequential saves timed (200; quick 30).")
    p.add_argument("--load-processes", type=int, default=2)
    p.add_argument("--job-timeout", type=float, default=600, help="Seconds for one job.")
    return p


def main() -> None:
    options = parser().parse_args()
    options.duration = options.duration or (5.0 if options.quick else 20.0)
    options.repeats = options.repeats or (7 if options.quick else 30)
    options.sequential = options.sequential or (30 if options.quick else 200)
    options.dir = options.dir.resolve()
    options.dir.mkdir(parents=True, exist_ok=True)
    # This process builds the data (bench/data.py needs Django) but uses no database; ours
    # run in processes of their own, one per database (bench/peers/ours.py).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault(
        "SECRET_KEY", "peers-bench-only-Vb7Qx2Mk9Rt4Lp8Wz3Nc6Hy1Jd5Sf0GaE4uX8oT2iP6yR3wQ9"
    )
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("PLAIN_STATIC_STORAGE", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{options.dir / 'ours.sqlite3'}"
    django.setup()
    from bench.peers.run import run

    # A SIGTERM ends the run as Ctrl+C does: each tool's servers are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    run(options)


if __name__ == "__main__":
    main()
