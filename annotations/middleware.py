"""Answer 503 with a friendly page when the database is unreachable, not a traceback.

Errors raised in views land in `process_exception`; errors raised elsewhere (sessions,
authentication) are turned into responses by Django before any middleware sees them, so
`handler500` (annotations.views.server_error) applies the same test to those.
"""

import logging
from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Errors that mean "the database is not answering", as opposed to a bug in a query.
_OUTAGE_SIGNS = (
    "connection",
    "connect",
    "server closed",
    "terminating",
    "shutting down",
    "could not",
    "timeout",
    "database is locked",
    "no route",
    "refused",
)


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return any(sign in text for sign in _OUTAGE_SIGNS)
    return False


def outage_response() -> HttpResponse:
    html = render_to_string("503.html")
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DatabaseError) and is_outage(exc):
            logger.error("Database unavailable: %s", exc)
            return outage_response()
        return None


class RoleRequiredMiddleware:
    """A signed-in account without a role (Viewer, Editor, Reviewer or admin) sees nothing
    of the desk's work until an admin gives it one."""

    ALLOWED = {"logout", "password_change", "password_change_done"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(view_func, "login_required", True) is False:  # login, healthz
            return None
        match = request.resolver_match
        if (match and match.url_name in self.ALLOWED) or request.path.startswith("/admin/"):
            return None
        if user.is_superuser or user.has_perm("annotations.view_article"):
            return None
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            "Your account has no role yet (Viewer, Editor or Reviewer). Ask an admin to give "
            "you one."
        )


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's: every page needs a login. An htmx request whose session has ended (expired,
    or signed out in another tab) gets a 401 with a message instead of a redirect, which
    htmx would follow and paste the sign-in page into a popover or list."""

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = request.get_full_path()
        if page.netloc == request.get_host() and page.path.startswith("/"):
            back = page.path + (
                f"?{page.query}" if page.query else ""
            )  # the page, not the fragment
        login = redirect_to_login(back, self.get_login_url(view_func))
        html = render_to_string("session_ended.html", {"login_url": login["Location"]})
        return HttpResponse(html, status=401)
