"""Bulk import articles (and their claims) from JSONL or CSV, with progress and a report."""

import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations.importers.bulk import detect_format, read_file
from annotations.services.imports import articles_import


class Command(BaseCommand):
    help = (
        "Import articles from a JSONL or CSV file (schema in README). Bad rows are reported "
        "with their line number and skipped; good rows go in."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv"],
            help="Default: from the file name (.jsonl/.ndjson or .csv).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything and report, but write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--user", help="Username recorded as the creator.")

    def handle(self, *args, **options):
        path = options["file"]
        fmt = options["format"] or detect_format(path)
        if fmt is None:
            raise CommandError("Say --format jsonl or --format csv (the file name does not tell).")
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        size = os.path.getsize(path)
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
                report = articles_import(
                    read_file(stream, fmt),
                    user=user,
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    progress=progress,
                )
            except UnicodeDecodeError as exc:
                raise CommandError(
                    f"The file is not UTF-8 (byte {exc.start}). Save it as UTF-8 and retry."
                ) from exc
            bar.update(size - bar.n)
        for duplicate in report.duplicates:
            self.stderr.write(
                f"line {duplicate.line}: skipped, {duplicate.reason}",
                style_func=self.style.WARNING,
            )
        for problem in report.errors:  # in line order
            self.stderr.write(f"line {problem.line}: {problem.reason}")
        prefix = "Dry run: " if options["dry_run"] else ""
        style = self.style.SUCCESS if not report.failed else self.style.WARNING
        self.stdout.write(style(prefix + report.summary()))
        if report.failed:
            sys.exit(1)
