"""Compile the interface's translations (.po -> .mo) with polib: no GNU gettext needed;
then write the static scripts' catalogues (static/jsi18n/<language>.js) from them.

    python manage.py compile_catalogues            # those whose .po changed
    python manage.py compile_catalogues --force    # all of them

`make setup`, CI and the Docker image run it; Django's `compilemessages` (which needs GNU
gettext's msgfmt) writes the same files where gettext is installed.
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext, ngettext

from annotations import catalogues
from annotations.management.refusing import RefusingCommand


class Command(RefusingCommand):
    help = "Compile the translation catalogues (.po to .mo) with polib."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Compile every catalogue, changed or not."
        )

    def handle(self, *args, force: bool = False, **options):
        dirs = [Path(d) for d in settings.LOCALE_PATHS]
        written = catalogues.compile_all(dirs, force=force)
        languages = [code for code, _name in settings.LANGUAGES]
        static = Path(settings.BASE_DIR) / "static"
        scripts = catalogues.write_js_catalogues(static, languages)
        for path in [*written, *scripts]:
            self.stdout.write(str(path.relative_to(settings.BASE_DIR)))
        total = len(catalogues.po_files(dirs))
        self.stdout.write(
            ngettext(
                "%(written)d of %(total)d catalogue compiled.",
                "%(written)d of %(total)d catalogues compiled.",
                total,
            )
            % {"written": len(written), "total": total}
            if written or scripts or not total
            else gettext("The catalogues are up to date.")
        )
