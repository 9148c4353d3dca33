"""The suggested claims of an article (services.suggestions.open_suggestions: what the rules
find, less what is tagged or dismissed already), as the article page and the API give them:

    python manage.py suggest_claims 42
    python manage.py suggest_claims 42 --json

`--json` prints a JSON list of {"start", "end", "quote", "label", "source_name"} in reading
order (offsets in code points: body[start:end] == quote; "label" is "unattributed" for a
hedge and empty when a source is named; "source_name" is empty when unattributed). Without
it, a table for people. An article that is not there, or was deleted, is refused: exit 1 and
the reason, nothing printed on stdout. Nothing is written.
"""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from annotations.management.refusing import RefusingCommand
from annotations.management.tables import shortened, table_lines
from annotations.models import Article
from annotations.services import open_suggestions


class Command(RefusingCommand):
    help = "Print the suggested claims of ARTICLE_ID (attributions and hedges the rules find)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("article_id", type=int, metavar="ARTICLE_ID")
        parser.add_argument(
            "--json",
            action="store_true",
            help='A JSON list of {"start", "end", "quote", "label", "source_name"}.',
        )

    def handle(self, *args, **options) -> None:
        article = _article(options["article_id"])
        found = open_suggestions(article)
        if options["json"]:
            self.stdout.write(json.dumps([s.as_json() for s in found], ensure_ascii=False))
            return
        if not found:
            self.stdout.write(_("No suggested claims in article #%(id)d.") % {"id": article.pk})
            return
        header = [_("start"), _("end"), _("label"), _("source"), _("cue"), _("quote")]
        rows = [
            [
                str(s.start),
                str(s.end),
                s.label or "-",
                (s.source_name + ("" if s.source_id else _(" (new)"))) if s.source_name else "-",
                s.cue,
                shortened(s.quote),
            ]
            for s in found
        ]
        for line in table_lines(header, rows):
            self.stdout.write(line)


def _article(pk: int) -> Article:
    """The live article, or a refusal that says why it is not there."""
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise CommandError(_("There is no article #%(id)d.") % {"id": pk})
    if article.deleted_at is not None:
        raise CommandError(_("Article #%(id)d was deleted: it has no suggestions.") % {"id": pk})
    return article
