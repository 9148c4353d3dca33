"""Personal API tokens: made (shown once), found by their SHA-256, revoked.

A token is `ApiToken.PREFIX` and 43 URL-safe characters (256 random bits); the database
keeps its SHA-256 and first characters only. Anyone signed in with a role may make tokens
for themselves; a token acts with its user's role (the services check the right of each
write as for the web), and stops working when revoked or when its user is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import ApiToken

__all__ = ["api_token_create", "api_token_find", "api_token_revoke", "api_token_touch"]

# How often a token's "last used" is written (not on every request: one write a minute).
LAST_USED_EVERY = timedelta(minutes=1)
TOKEN_NAME_MAX = 100
TOKENS_PER_USER_MAX = 50


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, named: the row, and the token itself (shown once)."""
    permissions.require_api_token(user)
    name = " ".join(str(name).split())
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, for example the script it is for.")}
        )
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationError(
            {"name": _("The name is too long (at most %(n)d characters).") % {"n": TOKEN_NAME_MAX}}
        )
    # One count at a time. Not type(user): a view's request.user is a lazy wrapper.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= TOKENS_PER_USER_MAX:
        raise ValidationError(
            _("You have %(n)d tokens: revoke one you no longer use first.")
            % {"n": TOKENS_PER_USER_MAX}
        )
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, key_sha256=_digest(key), hint=key[:10])
    token.full_clean()
    token.save()
    return token, key


def api_token_find(key: str) -> ApiToken | None:
    """The active token of an active user that `key` is, or None."""
    if not key.startswith(ApiToken.PREFIX) or len(key) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser) -> ApiToken:
    """Revoke a token: its owner, or an admin. Revoking twice changes nothing."""
    if not (user.is_superuser or token.user_id == user.pk):
        raise PermissionDenied(_("You can only revoke your own tokens."))
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked
