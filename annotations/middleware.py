"""Answer 503 with a friendly page when the database is unreachable, not a traceback.

Errors raised in views land in `process_exception`; errors raised elsewhere (sessions,
authentication) are turned into responses by Django before any middleware sees them, so
`handler500` (annotations.views.server_error) applies the same test to those.
"""

import logging
from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .outage import is_outage

logger = logging.getLogger(__name__)


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


class UserLanguageMiddleware:
    """A signed-in user's own language, when they chose one (their profile), over the
    browser's and the cookie's (LocaleMiddleware's choice, made before anyone was signed
    in). The profile's language is read into the session at sign-in and whenever it is
    changed (`apply_profile_language`), so that no request pays a query for it. A change made
    by an admin in someone's profile applies from their next sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        from .services.profiles import LANGUAGE_SESSION_KEY

        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        if LANGUAGE_SESSION_KEY not in session and request.user.is_authenticated:
            # A session from before profiles (or a login that skipped the signal): once.
            apply_profile_language(None, request, request.user)
        language = session.get(LANGUAGE_SESSION_KEY)
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def apply_profile_language(sender, request: HttpRequest, user, **kwargs) -> None:
    """On sign-in (auth's `user_logged_in`): the profile's language into the session. One
    query, once a session."""
    from .services.profiles import LANGUAGE_SESSION_KEY, profile_language

    if hasattr(request, "session"):
        request.session[LANGUAGE_SESSION_KEY] = profile_language(user=user)


class RoleRequiredMiddleware:
    """A signed-in account without a role (Viewer, Editor, Reviewer or admin) sees nothing
    of the desk's work until an admin gives it one."""

    ALLOWED = {"logout", "password_change", "password_change_done", "language"}

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
        from django.core.exceptions import PermissionDenied

        from .permissions import has_role

        if has_role(user):
            return None

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


class RequestBytesMiddleware:
    """Refuse a request whose form data or query string is not UTF-8, on the raw bytes.

    Django decodes such bytes with replacement characters (U+FFFD), so "%ff%fe" in a note
    would be saved as "��" without a word. Checked here, before any view reads the data,
    for query strings, url-encoded bodies, and the text parts of multipart bodies within
    DATA_UPLOAD_MAX_MEMORY_SIZE (file parts are the upload's own business: a file's bytes
    are checked by whoever reads it). A real U+FFFD, sent as its three UTF-8 bytes, passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._invalid(request)
        if where:
            return bad_bytes_response(request, where)
        return self.get_response(request)

    def _invalid(self, request: HttpRequest) -> str | None:
        from django.conf import settings

        from .text import is_valid_utf8

        query = request.META.get("QUERY_STRING", "")
        if query and not _urlencoded_is_utf8(query.encode("latin-1", "replace")):
            return "the address"
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not length or (limit is not None and length > limit):
            return None  # Django refuses what is too big when the view reads it
        if content_type.startswith("application/x-www-form-urlencoded"):
            return None if _urlencoded_is_utf8(request.body) else "the form"
        if content_type.startswith("multipart/form-data"):
            for part in _text_parts(content_type, request.body):
                if not is_valid_utf8(part):
                    return "the form"
        return None


def _urlencoded_is_utf8(data: bytes) -> bool:
    from urllib.parse import unquote_to_bytes

    from .text import is_valid_utf8

    for pair in data.replace(b";", b"&").split(b"&"):
        for piece in pair.split(b"=", 1):
            if not is_valid_utf8(unquote_to_bytes(piece.replace(b"+", b" "))):
                return False
    return True


def _text_parts(content_type: str, body: bytes) -> list[bytes]:
    """The payloads of a multipart body's parts that are not files."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace") + body
    )
    if not message.is_multipart():
        return []
    return [
        part.get_payload(decode=True) or b""
        for part in message.iter_parts()
        if part.get_filename() is None
    ]


def bad_bytes_response(request: HttpRequest, where: str) -> HttpResponse:
    from django.utils.translation import gettext as _

    message = _(
        "The text sent in %(where)s is not valid UTF-8, so it cannot be read as it was meant. "
        "Nothing was saved. Retype it, or save the file it came from as UTF-8."
    ) % {"where": _(where)}
    from .api.problems import Problem, is_api_request, problem_response

    if is_api_request(request):
        return problem_response(Problem(400, "malformed", message), request)
    if request.headers.get("HX-Request") == "true":
        html = render_to_string("annotations/fragments.html#form-error", {"message": message})
    else:
        html = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(html, status=400)


class PrivateCacheMiddleware:
    """What a signed-in person sees (pages, fragments, downloads) is theirs: never kept by a
    shared cache or a proxy, nor left in the browser's cache for the next person at a shared
    desk computer. `Cache-Control: private, no-store`, unless the view said otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            from django.utils.cache import patch_cache_control

            patch_cache_control(response, private=True, no_store=True)
        return response
