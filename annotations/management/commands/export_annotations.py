"""Export claims as CSV, W3C Web Annotation JSON-LD or ClaimReview, streamed, with progress."""

import os
import sys

from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from annotations import exporters, selectors
from annotations.forms import ClaimFilterForm
from annotations.management.refusing import RefusingCommand

FILTERS = [
    "q",
    "label",
    "source",
    "source_status",
    "outlet",
    "editor",
    "date_from",
    "date_to",
    "anchor_state",
    "article",
]


class Command(RefusingCommand):
    help = "Export claims (all, or filtered like the claims list) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "jsonld", "claimreview"], default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: stdout).")
        parser.add_argument(
            "--raw", action="store_true", help="CSV: exact text, without spreadsheet-safe prefixes."
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM.")
        for name in FILTERS:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                help=f"Filter by {name.replace('_', ' ')} (as on the claims list).",
            )

    def handle(self, *args, **options):
        form = ClaimFilterForm({k: options[k] for k in FILTERS if options.get(k) is not None})
        if not form.is_valid():
            raise CommandError(f"Filters not understood: {form.errors.as_text()}")
        claims = selectors.claim_list(**form.selector_kwargs())
        total = claims.count()
        bar = tqdm(total=total, unit=" claims", file=sys.stderr, disable=options["verbosity"] == 0)
        rows = exporters.counted(exporters.claim_rows(claims), bar.update)
        fmt = options["format"]
        if fmt == "csv":
            lines = exporters.csv_pieces(
                claims, safe=not options["raw"], bom=options["bom"], progress=bar.update
            )
        elif fmt == "jsonld":
            lines = exporters.jsonld_collection(
                rows,
                site_url=settings.SITE_URL,
                total=total,
                collection_id=f"{settings.SITE_URL}/export/claims.jsonld",
                label=f"Claims exported by {settings.DESK_NAME}",
                articles=exporters.article_rows,
            )
        else:
            lines = exporters.claimreview_lines(
                rows, site_url=settings.SITE_URL, desk_name=settings.DESK_NAME
            )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.writelines(lines)
        else:
            out = self.stdout._out
            try:
                for line in lines:
                    out.write(line)
                out.flush()
            except BrokenPipeError:  # `| head`: the reader has what it wanted
                sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - no traceback at exit
                return
        bar.close()
        self.stderr.write(f"Exported {total} claim(s) as {fmt}.", style_func=self.style.SUCCESS)
