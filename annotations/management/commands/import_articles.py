"""Bulk import articles (and their claims) from JSONL, CSV or our JSON-LD, with progress and a
report. Each run is recorded (ImportRun) and has a page reviewers can open later."""

import hashlib
import os
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from annotations import permissions
from annotations.importers.bulk import detect_format, read_file
from annotations.management.refusing import RefusingCommand
from annotations.services.imports import articles_import_run, import_run_start


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Command(RefusingCommand):
    help = (
        "Import articles from a JSONL, CSV or JSON-LD file (schema in README). Bad rows are "
        "reported with their line number and skipped; good rows go in. Exits 1 when a row "
        "failed or the import stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv", "jsonld"],
            help="Default: from the file name (.jsonl/.ndjson, .csv or .jsonld).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything and report, but write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--user",
            required=True,
            help="Who imports (a reviewer or admin): recorded as the creator of what goes in.",
        )

    def handle(self, *args, **options):
        path = options["file"]
        fmt = options["format"] or detect_format(path)
        if fmt is None:
            raise CommandError(
                _("Say --format jsonl, csv or jsonld (the file name does not tell).")
            )
        if not os.path.isfile(path):
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be 1 or more."))
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": options["user"]})
        if not permissions.can_import(user):
            raise CommandError(
                _("%(user)s may not bulk import (reviewers and admins).")
                % {"user": user.get_username()}
            )
        size = os.path.getsize(path)
        run = import_run_start(
            user=user,
            door="command",
            file_name=os.path.basename(path),
            sha256=_sha256(path),
            size=size,
            fmt=fmt,
            dry_run=options["dry_run"],
        )
        with (
            open(path, encoding="utf-8-sig", newline="" if fmt == "csv" else None) as stream,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                file=sys.stderr,
                disable=options["verbosity"] == 0,
                desc="Importing",
            ) as bar,
        ):

            def progress(_rows: int) -> None:
                position = stream.buffer.tell() if hasattr(stream, "buffer") else 0
                bar.update(max(0, position - bar.n))

            try:
                report = articles_import_run(
                    run,
                    read_file(stream, fmt),
                    user=user,
                    batch_size=options["batch_size"],
                    progress=progress,
                )
            except UnicodeDecodeError as exc:
                raise CommandError(
                    _(
                        "The file is not UTF-8 (byte %(byte)s of a block). Save it as UTF-8 and "
                        "retry. %(n)s article(s) went in before that; run %(run)s lists them: "
                        "%(url)s"
                    )
                    % {
                        "byte": exc.start,
                        "n": run.articles_created,
                        "run": run.pk,
                        "url": f"{settings.SITE_URL}{run.get_absolute_url()}",
                    }
                ) from exc
            bar.update(size - bar.n)
        for duplicate in report.duplicates:
            self.stderr.write(
                _("line %(line)s: skipped, %(reason)s")
                % {"line": duplicate.line, "reason": duplicate.reason},
                style_func=self.style.WARNING,
            )
        for problem in report.errors:  # in line order
            self.stderr.write(
                _("line %(line)s: %(reason)s") % {"line": problem.line, "reason": problem.reason}
            )
        prefix = _("Dry run: ") if options["dry_run"] else ""
        style = self.style.SUCCESS if not report.failed else self.style.WARNING
        self.stdout.write(style(prefix + report.summary()))
        self.stdout.write(
            _("Run %(run)s: %(url)s")
            % {"run": run.pk, "url": f"{settings.SITE_URL}{run.get_absolute_url()}"}
        )
        if report.failed:
            sys.exit(1)
