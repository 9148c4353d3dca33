"""Make a personal API token for a user, for scripts; the token is the last line printed:

    python manage.py create_api_token editor --name "CMS import"
    TOKEN=$(python manage.py create_api_token editor | tail -n 1)

It is shown this once: the app keeps only its SHA-256. Revoke it on the API tokens page, or
in the admin.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from annotations import services
from annotations.management.refusing import RefusingCommand


class Command(RefusingCommand):
    help = "Make a personal API token for USERNAME; prints the token as the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Script", help="What the token is for.")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(
                _("No active user is called %(name)r.") % {"name": options["username"]}
            )
        try:
            token, key = services.api_token_create(user=user, name=options["name"])
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            _("Token “%(name)s” for %(user)s (shown once):")
            % {"name": token.name, "user": user.get_username()}
        )
        self.stdout.write(key)
