"""Who may call the API: a personal token (`Authorization: Bearer <token>`, no CSRF), or the
browser's session (with CSRF, as DRF's SessionAuthentication checks it); in either case a
user with a role. The services check the right of each write, as for the web."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from .. import permissions, services
from ..clientip import client_ip
from ..models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer nca_…`: the token's user, or a 401 for a token that is not
    (any more) valid. Other schemes are left to the next authenticator."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = services.api_token_find(key.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "This token is not valid: it was revoked or mistyped, or its account is "
                    "inactive."
                )
            )
        services.api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class HasRole(BasePermission):
    """Signed in (token or session) with a role: Viewer, Editor, Reviewer or an admin."""

    message = gettext_lazy(
        "Your account has no role yet (Viewer, Editor or Reviewer). Ask an admin to give you one."
    )

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(
                _("Sign in, or send a personal token: Authorization: Bearer <token>.")
            )
        return permissions.has_role(request.user)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per user for the browser's session), counted in the cache every
    process shares (Django's database cache, `CACHES["api"]`). Over: 429 with Retry-After."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE

    @property
    def cache(self):  # read when used, so that tests and settings can change it
        return caches[settings.API_THROTTLE_CACHE]

    def get_ident(self, request) -> str:
        return client_ip(request)  # the login lockouts' rule (PROXY_COUNT)

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the token: HTTP bearer."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}
