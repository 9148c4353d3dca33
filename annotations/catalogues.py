"""The translation catalogues: compiled from their .po files with polib, so that no system
package (GNU gettext) is needed to build or run the app.

Django reads `<locale>/<language>/LC_MESSAGES/<domain>.mo`; only the .po files are
committed. `manage.py compile_catalogues` (run by `make setup`, CI and the Docker image)
and the test suite's start write each .mo that is missing or older than its .po, as
GNU msgfmt would: fuzzy and untranslated entries are left out, so they read as English.

The static scripts' sentences (the djangojs domain) are written as static files too, one
per language (`static/jsi18n/<language>.js`, `write_js_catalogues`): Django's
JavaScriptCatalog, rendered once at build time instead of by a view on every page, so that
every script the pages load is one of our static files (the CSP's 'self', cached and
hashed by whitenoise, and readable on the sign-in page without an exemption).

Files in, files out; no database, no request.
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
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from the app's own user
        os.replace(temporary, mo)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return mo


def compile_all(locale_dirs: Iterable[Path], *, force: bool = False) -> list[Path]:
    """Compile the catalogues whose .mo is missing or older than the .po; the .mo written."""
    return [compile_po(po) for po in po_files(locale_dirs) if force or is_stale(po)]


JS_CATALOGUE_DIR = "jsi18n"  # under static/: static/jsi18n/uk.js


def js_catalogue_path(language: str) -> str:
    """The static path of a language's script catalogue, for `{% static %}`."""
    return f"{JS_CATALOGUE_DIR}/{language}.js"


def write_js_catalogues(static_dir: Path, languages: Iterable[str]) -> list[Path]:
    """Django's JavaScriptCatalog (gettext, ngettext, interpolate, get_format for the
    scripts) for each language, as `static_dir/jsi18n/<language>.js`; the files written
    (those that changed)."""
    from django.utils import translation
    from django.utils.translation.trans_real import DjangoTranslation
    from django.views.i18n import JavaScriptCatalog

    target = Path(static_dir) / JS_CATALOGUE_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        view = JavaScriptCatalog()
        with translation.override(language):
            view.translation = DjangoTranslation(language, domain=view.domain)
            script = view.render_to_response(view.get_context_data()).content
        path = target / f"{language}.js"
        if not path.exists() or path.read_bytes() != script:
            handle, temporary = tempfile.mkstemp(dir=target, prefix=".", suffix=".js")
            with os.fdopen(handle, "wb") as out:
                out.write(script)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
            written.append(path)
    return written
