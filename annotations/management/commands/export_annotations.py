"""Export claims as CSV, W3C Web Annotation JSON-LD or ClaimReview, streamed, with progress."""

import os
import sys

from django.conf import settings
from django.core.management.base import CommandError
from tqdm import tqdm

from annotations import exporters
from annotations.filters import ClaimFilter
from annotations.management.refusing import RefusingCommand


class Command(RefusingCommand):
    help = "Export claims (all, or filtered like the claims list) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "jsonld", "claimreview"], default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: stdout).")
        parser.add_argument(
            "--raw", action="store_true", help="CSV: exact text, without spreadsheet-safe prefixes."
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM.")
        for name in ClaimFilter.option_names():  # the claims list's filters, spelled once
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                help=f"Filter by {name.replace('_', ' ')} (as on the claims list).",
            )

    def handle(self, *args, **options):
        chosen = ClaimFilter(
            {
                name: options[name]
                for name in ClaimFilter.option_names()
                if options.get(name) is not None
            }
        )
        if not chosen.is_valid():
            raise CommandError(f"Filters not understood: {chosen.refusal()}")
        claims = chosen.qs
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
