"""P3's CSV export in a fresh process of its own (`python -m bench.export_run OUTLET`), for
its peak memory. Django is imported in that process only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def run_export(outlet: str) -> dict:
    """Run `manage.py export_annotations --outlet …` (CSV to /dev/null) in a fresh process:
    its time (after Django start-up) and the process's peak resident memory, whole."""
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.export_run", outlet],
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


if __name__ == "__main__":
    print(json.dumps(_export_main(sys.argv[1])))
