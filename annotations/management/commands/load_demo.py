"""Load the demo accounts, sources and articles. Safe to run again: it skips what exists."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from annotations import anchoring, names, services
from annotations.demo import ARTICLES, DEMO_PASSWORDS, SOURCES
from annotations.models import Annotation, Article, Source, SourceAlias
from annotations.permissions import EDITOR, REVIEWER, VIEWER, ensure_groups

ROLES = {
    "editor": (EDITOR, False, "Dana", "Editor"),
    "editor2": (EDITOR, False, "Sam", "Second-Editor"),
    "reviewer": (REVIEWER, True, "Roza", "Reviewer"),
    "viewer": (VIEWER, False, "Vic", "Viewer"),
}


class Command(BaseCommand):
    help = "Create demo accounts (demo passwords!), sources and annotated articles."

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_groups()
        users = self._users()
        admin = users["admin"]
        by_name = {}
        for name, kind, reliability, status, aliases in SOURCES:
            source = Source.objects.filter(name_key=names.fold_name(name)).first()
            if source is None:
                source = services.source_create(
                    name=name, kind=kind, reliability=reliability, user=users["editor"]
                )
                for alias in aliases:
                    services.source_add_alias(source=source, name=alias, user=admin)
                if status != Source.Review.PENDING:
                    services.source_review(
                        source=source,
                        user=users["reviewer"],
                        decision=status,
                        reliability=reliability,
                        note="Demo review.",
                    )
            by_name[name] = source
        created = 0
        for demo in ARTICLES:
            if Article.objects.filter(url=demo.url).exists():
                continue
            article = services.article_create(
                user=users["editor"],
                title=demo.title,
                body=demo.body,
                url=demo.url,
                outlet=demo.outlet,
                author=demo.author,
                published_at=demo.published_at,
                language=demo.language,
            )
            services.article_update_workflow(
                article=article,
                user=users["editor"],
                status=demo.status,
                assignee=users["editor"] if demo.status != "new" else None,
            )
            for i, claim in enumerate(demo.claims):
                positions = anchoring.find_occurrences(article.body, claim.quote)
                start = positions[claim.occurrence]
                result = services.annotation_create(
                    article=article,
                    user=users["editor" if i % 3 else "editor2"],
                    start=start,
                    end=start + len(claim.quote),
                    quote=claim.quote,
                    label=claim.label,
                    source=by_name.get(claim.source),
                    credibility=claim.credibility,
                    note=claim.note,
                    public_summary=claim.public_summary,
                    evidence_url=claim.evidence_url,
                )
                if demo.status != "new":
                    # Tagged in the hours after publication, so the dashboard has a story;
                    # the newest article is being tagged today.
                    when = demo.published_at + timedelta(hours=2 + 3 * i)
                    Annotation.objects.filter(pk=result.annotation.pk).update(
                        created_at=when, updated_at=when
                    )
            created += 1
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data ready: %(created)s new article(s), %(sources)s sources, "
                    "%(names)s names and aliases."
                )
                % {
                    "created": created,
                    "sources": Source.objects.count(),
                    "names": SourceAlias.objects.count(),
                }
            )
        )
        self.stdout.write(
            _("Demo accounts (for trying the app only; change them before real use):")
        )
        for username, password in DEMO_PASSWORDS.items():
            self.stdout.write(f"  {username:<9} {password}")

    def _users(self):
        User = get_user_model()
        users = {}
        for username, (group, staff, first, last) in ROLES.items():
            user, made = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": staff},
            )
            if made:
                user.set_password(DEMO_PASSWORDS[username])
                user.save()
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser(
                "admin", "admin@example.org", DEMO_PASSWORDS["admin"], first_name="Ada"
            )
        users["admin"] = admin
        return users
