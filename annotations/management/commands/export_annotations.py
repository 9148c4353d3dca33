"""Export claims as CSV, W3C Web Annotation JSON-LD or ClaimReview, streamed, with progress."""

import os
import sys

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from annotations import exporters
from annotations.filters import ClaimFilter
from annotations.management.refusing import RefusingCommand
from annotations.siteurl import clean_site_url


def _progress_bar(total: int):
    from tqdm import tqdm  # only when shown: its import costs more than a small export

    return tqdm(total=total, unit=" claims", file=sys.stderr)


class Command(RefusingCommand):
    help = "Export claims (all, or filtered like the claims list) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "jsonld", "claimreview"], default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: stdout).")
        parser.add_argument(
            "--raw", action="store_true", help="CSV: exact text, without spreadsheet-safe prefixes."
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM.")
        parser.add_argument(
            "--site-url",
            help="JSON-LD and ClaimReview: the app's address, the base of every id, e.g. "
            "https://claims.example.org (default: the SITE_URL setting; one is needed).",
        )
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
            raise CommandError(_("Filters not understood: %(why)s") % {"why": chosen.refusal()})
        fmt = options["format"]
        site_url = self._site_url(options["site_url"]) if fmt != "csv" else ""
        claims = chosen.qs
        if fmt == "claimreview":
            claims = exporters.published(claims)  # what the bar counts (the pieces narrow alike)
        # The count is for the bar and JSON-LD's `total`; quiet, a CSV counts what it writes
        # (a count of a million claims, and tqdm's import, cost more than a small export).
        quiet = options["verbosity"] == 0
        total = None if quiet and fmt == "csv" else claims.count()
        bar = None if quiet else _progress_bar(total)
        written = 0

        def update(n: int) -> None:
            nonlocal written
            written += n
            if bar is not None:
                bar.update(n)

        if fmt == "csv":  # UTF-8 bytes, as the database wrote them
            chunks = exporters.csv_chunks(
                claims, safe=not options["raw"], bom=options["bom"], progress=update
            )
        elif fmt == "jsonld":
            lines = exporters.jsonld_collection(
                exporters.counted(exporters.claim_rows(claims), update),
                site_url=site_url,
                total=total,
                collection_id=f"{site_url}/export/claims.jsonld",
                label=f"Claims exported by {settings.DESK_NAME}",
                articles=exporters.articles_reader(chosen.article_scope()),
            )
        else:
            lines = exporters.claimreview_pieces(
                chosen.qs, site_url=site_url, desk_name=settings.DESK_NAME, progress=update
            )
        if fmt != "csv":
            chunks = (line.encode() for line in lines)
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.writelines(chunks)
        else:
            out = self.stdout._out
            # Bytes to a real stdout; text to one a caller replaced with a StringIO.
            write = out.buffer.write if hasattr(out, "buffer") else lambda b: out.write(b.decode())
            try:
                out.flush()
                for chunk in chunks:
                    write(chunk)
                out.flush()
            except BrokenPipeError:  # `| head`: the reader has what it wanted
                sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - no traceback at exit
                return
        if bar is not None:
            bar.close()
        self.stderr.write(
            _("Exported %(n)s claim(s) as %(format)s.") % {"n": written, "format": fmt},
            style_func=self.style.SUCCESS,
        )

    @staticmethod
    def _site_url(option: str | None) -> str:
        """The base of the ids: --site-url, else SITE_URL; without either, a refusal (a
        command has no request to take a host from, and a guess would be written into
        every id)."""
        try:
            site_url = clean_site_url(option or "") or settings.SITE_URL
        except ValueError as exc:
            raise CommandError(f"--site-url: {exc}") from exc
        if not site_url:
            raise CommandError(
                "The ids of a JSON-LD or ClaimReview export are links into the app: give its "
                "address with --site-url https://claims.example.org, or set SITE_URL. "
                "Nothing was written."
            )
        return site_url
