"""The suggestions for an existing claim: the claims of other articles most likely to make the
same assertion, best first (`shared.suggestions_for_claim`, as the claim card and the API
give them):

    python manage.py similar_claims 42
    python manage.py similar_claims 42 --limit 10 --json

`--json` prints a JSON list of {"annotation_id", "article_id", "score"}; without it, a table
for people. A claim that is not there (or whose article was deleted), or a limit outside 1 to
50, is refused: exit 1 and the reason, nothing printed on stdout.
"""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from annotations import shared, similarity
from annotations.management.refusing import RefusingCommand
from annotations.management.tables import shortened, table_lines
from annotations.models import Annotation


class Command(RefusingCommand):
    help = "Print the claims of other articles that likely make the same assertion as CLAIM_ID."

    def add_arguments(self, parser) -> None:
        parser.add_argument("claim_id", type=int, metavar="CLAIM_ID")
        parser.add_argument(
            "--limit",
            type=int,
            default=similarity.LIMIT,
            help=f"How many at most, 1 to {shared.MOST_SUGGESTIONS} (default {similarity.LIMIT}).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='A JSON list of {"annotation_id", "article_id", "score"}, best first.',
        )

    def handle(self, *args, **options) -> None:
        limit = options["limit"]
        if not 1 <= limit <= shared.MOST_SUGGESTIONS:
            raise CommandError(
                _("--limit must be from 1 to %(n)d.") % {"n": shared.MOST_SUGGESTIONS}
            )
        claim = _claim(options["claim_id"])
        found = shared.suggestions_for_claim(claim, limit=limit)
        if found.pending:
            self.stderr.write(shared.PENDING_NOTE)
        if options["json"]:
            rows = [
                {"annotation_id": s.claim.pk, "article_id": s.claim.article_id, "score": s.score}
                for s in found
            ]
            self.stdout.write(json.dumps(rows))
            return
        if not found:
            self.stdout.write(
                _("No claim of another article looks like claim #%(id)d.") % {"id": claim.pk}
            )
            return
        self._table(found)

    def _table(self, found: list[shared.Suggestion]) -> None:
        header = [
            _("score"),
            _("claim"),
            _("article"),
            _("shared claim"),
            _("outlet"),
            _("label"),
            _("why"),
            _("quote"),
        ]
        rows = [
            [
                f"{s.score:.2f}",
                str(s.claim.pk),
                str(s.claim.article_id),
                str(s.claim.shared_claim_id or "-"),
                s.claim.article.outlet or "-",
                s.claim.get_label_display(),
                ", ".join(str(reason) for reason in s.match.reasons) or "-",
                shortened(s.claim.quote),
            ]
            for s in found
        ]
        for line in table_lines(header, rows):
            self.stdout.write(line)


def _claim(pk: int) -> Annotation:
    """The claim, or a refusal that says why it is not there."""
    claim = Annotation.objects.select_related("article").filter(pk=pk).first()
    if claim is None:
        raise CommandError(_("There is no claim #%(id)d.") % {"id": pk})
    if claim.article.deleted_at is not None:
        raise CommandError(
            _("Claim #%(id)d is on a deleted article: it has no suggestions.") % {"id": pk}
        )
    return claim
