"""Re-check evidence links at once, here, without waiting for the workers' daily round:

    python manage.py recheck_evidence              # the links whose re-check is due
    python manage.py recheck_evidence --all        # every current link (claims' evidence and
                                                   # pages articles came from), and the links
                                                   # of either not tracked yet
    python manage.py recheck_evidence --all --now  # ...and a second failure is *gone* at once

Each link is fetched once and recorded as the background job records it (a new capture when
its text changed, *changed*, *gone*, "nothing to read"). `--now` skips the 24 hours that
must otherwise pass between the two failures that make a link *gone* (tests, urgent checks).
"""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.management.refusing import RefusingCommand
from annotations.services import evidence as service


class Command(RefusingCommand):
    help = "Re-check evidence links now: those due, or --all; --now ignores the 24-hour rule."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Every current link, due or not.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="A second failure (404, 410, no DNS) makes a link gone without waiting 24 hours.",
        )

    def handle(self, *args, **options) -> None:
        if options["all"]:
            service.evidence_track_untracked()
        links = service.current_evidence().order_by("pk")
        if not options["all"]:
            links = links.filter(next_check_at__lte=timezone.now())
        states: Counter[str] = Counter()
        for evidence_id in links.values_list("pk", flat=True):
            checked = service.evidence_check(evidence_id=evidence_id, ignore_gap=options["now"])
            states[checked.state] += 1
            if checked.state in {"changed", "gone", "failed"} and options["verbosity"] > 1:
                of = f"claim {checked.claim_id}"
                if not checked.claim_id:
                    of = f"article {checked.article_id}"
                self.stdout.write(f"{checked.state}: {checked.url} ({of})")
        summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        if states:
            said = _("Re-checked %(n)s link(s): %(summary)s.")
        else:
            said = _("Re-checked %(n)s link(s).")
        self.stdout.write(said % {"n": states.total(), "summary": summary})
