"""Write the per-label stylesheet, static/css/labels.css, from the label registry.

    python manage.py labels_css            # write it (after changing annotations/labels.py)
    python manage.py labels_css --check    # write nothing; exit 1 when the file is stale

The file is committed and served like any static file: the CSP forbids inline styles, so
the colours cannot go into the page. A test fails while the committed file differs.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext

from annotations import labels
from annotations.management.refusing import RefusingCommand


class Command(RefusingCommand):
    help = "Write static/css/labels.css from the label registry (annotations/labels.py)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 when the file differs from what the registry makes.",
        )

    def handle(self, *args, check: bool = False, **options):
        path = Path(settings.BASE_DIR) / labels.CSS_PATH
        css = labels.stylesheet()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == css:
            self.stdout.write(gettext("%(path)s is up to date.") % {"path": labels.CSS_PATH})
        elif check:
            raise CommandError(
                gettext("%(path)s is out of date: run `python manage.py labels_css`.")
                % {"path": labels.CSS_PATH}
            )
        else:
            path.write_text(css, encoding="utf-8")
            self.stdout.write(gettext("%(path)s written.") % {"path": labels.CSS_PATH})
