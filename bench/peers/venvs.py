"""The peers' virtualenvs: made once from PyPI with pinned versions and reused (a stamp
holds what was installed, `.peers-freeze.txt` what pip chose for the rest; `--fresh` or
other pins make them again), and the environment their processes get (nothing of ours: no
DATABASE_URL, no Django settings)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.report import log

# doccano 1.8.4 declares no upper bounds; these are the releases it still works with.
DOCCANO_PINS = ["marshmallow<4", "numpy<2"]
KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE")


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k in KEEP or k.startswith("PIP_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def check_run(command: list[str], *, env: dict, cwd: Path, what: str, timeout=1800) -> None:
    log(f"{what}…")
    done = subprocess.run(  # noqa: S603
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        output = (done.stdout + done.stderr)[-3000:]
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{output}")


def reset(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)


def ensure(venv: Path, packages: list[str], *, fresh: bool) -> None:
    """A virtualenv at `venv` with exactly `packages` installed from PyPI (pinned)."""
    stamp = venv / ".peers-installed"
    wanted = "\n".join(packages)
    if not fresh and stamp.exists() and stamp.read_text() == wanted:
        return
    reset(venv)
    check_run([_base_python(), "-m", "venv", str(venv)], env=clean_env(), cwd=venv.parent,
              what=f"virtualenv {venv.name}")  # fmt: skip
    check_run([str(venv / "bin" / "pip"), "install", "--quiet", *packages], env=clean_env(),
              cwd=venv.parent, what=f"pip install {' '.join(packages)} (minutes)")  # fmt: skip
    frozen = subprocess.run(  # noqa: S603 - what pip chose for the unpinned dependencies
        [str(venv / "bin" / "pip"), "freeze"], env=clean_env(), capture_output=True, text=True
    )
    (venv / ".peers-freeze.txt").write_text(frozen.stdout)
    stamp.write_text(wanted)


def _base_python() -> str:
    """The interpreter our own virtualenv was made from (the peers get venvs of their own)."""
    return getattr(sys, "_base_executable", None) or shutil.which("python3") or "python3"
