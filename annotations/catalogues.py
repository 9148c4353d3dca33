"""The translation catalogues: compiled from their .po files with polib, so that no system
package (GNU gettext) is needed to build or run the app.

Django reads `<locale>/<language>/LC_MESSAGES/<domain>.mo`; only the .po files are
committed. `manage.py compile_catalogues` (run by `make setup`, CI and the Docker image)
and the test suite's start write each .mo that is missing or older than its .po, as
GNU msgfmt would: fuzzy and untranslated entries are left out, so they read as English.

Pure: files in, files out; no database, no request.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polib


def po_files(locale_dirs: Iterable[Path]) -> list[Path]:
    """Every catalogue under the locale directories, in a stable order."""
    return sorted(p for d in locale_dirs for p in Path(d).glob("*/LC_MESSAGES/*.po"))


def is_stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_po(po: Path, mo: Path | None = None) -> Path:
    """Write the .mo of `po` (beside it unless `mo` is given). The file is replaced in one
    step (written aside, then renamed), so a reader, or a second process compiling at the
    same moment, never sees half of it."""
    mo = mo or po.with_suffix(".mo")
    catalogue = polib.pofile(str(po))
    handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".", suffix=".mo")
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        os.replace(temporary, mo)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return mo


def compile_all(locale_dirs: Iterable[Path], *, force: bool = False) -> list[Path]:
    """Compile the catalogues whose .mo is missing or older than the .po; the .mo written."""
    return [compile_po(po) for po in po_files(locale_dirs) if force or is_stale(po)]
