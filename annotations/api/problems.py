"""Every refusal of the API as an RFC 9457 problem: `application/problem+json`, a 4xx, a
`title`, a stable machine-readable `code`, the `detail` in the web's words, and the field
errors (`errors`: field name to messages; "non_field_errors" for the whole request).

`problem_handler` is DRF's exception handler: it turns DRF's own exceptions, Django's
(ValidationError, PermissionDenied, Http404, RequestDataTooBig) and the services'
(DuplicateArticle, ArticleConflict, ClaimGone, StaleArticle; a link that needs a merge of
two shared claims) into problems, so no door
answers differently. A path no endpoint has is a view of its own (`views.NoSuchEndpoint`, the
last URL of the API), and a query string that is not UTF-8, refused before any view runs, is
a problem too (`middleware.RequestBytesMiddleware`, through `is_api_request`).
"""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler

from .. import services

PROBLEM_JSON = "application/problem+json"
NON_FIELD = "non_field_errors"


class Problem(exceptions.APIException):
    """A refusal with its status, code and message (and field errors, and extra members)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra,
    ):
        super().__init__(detail, code)
        self.status_code = status_code
        self.code = code
        self.errors = errors or {}
        self.extra_headers = headers or {}
        self.extra = extra


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if name == "__all__" else name): [
                str(m) for m in DjangoValidationError(e).messages
            ]
            for name, e in exc.error_dict.items()
        }
    return {NON_FIELD: [str(m) for m in exc.messages]}


def form_problem(form) -> Problem:
    """A form's (or filter set's) errors as a 422 problem, in the form's own words."""
    errors = {
        (NON_FIELD if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }
    return invalid(errors)


def invalid(errors: dict[str, list[str]], *, status_code: int = 422) -> Problem:
    detail = " ".join(
        (message if name == NON_FIELD else f"{name}: {message}")
        for name, messages in errors.items()
        for message in messages
    )
    return Problem(status_code, "invalid", detail or _("The request is not valid."), errors=errors)


def _as_problem(exc: Exception) -> Problem | None:
    """The problem a non-DRF exception stands for, or None (a bug: a 500)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "merge_needed":
        # Two claims already in different shared claims (services.shared_claim_link): the
        # state conflicts, not the request; a reviewer merges the two shared claims.
        return Problem(409, "merge_needed", " ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        return invalid(_django_errors(exc))
    if isinstance(exc, PermissionDenied):
        return Problem(403, "forbidden", str(exc) or _("You may not do that."))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return not_found_problem()
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE, read by DRF
        return Problem(
            413,
            "too_large",
            _("The request is larger than this server accepts (%(mb)s MB). Nothing was saved.")
            % {"mb": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        )
    if isinstance(exc, services.DuplicateArticle):
        return Problem(409, "duplicate", exc.reason, existing=exc.existing.pk)
    if isinstance(exc, services.ArticleConflict):
        return Problem(
            412,
            "version_mismatch",
            _(
                "The article is at version %(current)d, not %(seen)d: someone corrected it "
                "first. Fetch it again and redo your change on the new text."
            )
            % {"current": exc.current.version, "seen": exc.seen_version},
            version=exc.current.version,
        )
    if isinstance(exc, services.ClaimGone):
        return Problem(404, "not_found", str(exc))
    if isinstance(exc, services.StaleArticle):
        return Problem(409, "stale", str(exc))
    return None


# DRF's exceptions by the codes scripts can rely on.
_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "token_invalid",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed",
}


def problem_handler(exc: Exception, context) -> JsonResponse | None:
    problem = _as_problem(exc)
    if problem is None and isinstance(exc, exceptions.APIException):
        response = exception_handler(exc, context)  # its headers (Retry-After, Allow, …)
        if isinstance(exc, exceptions.ValidationError):
            detail = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
            errors = {
                k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
            }
            problem = invalid(errors, status_code=400)
        else:
            code = next((c for t, c in _DRF_CODES.items() if isinstance(exc, t)), "error")
            problem = Problem(exc.status_code, code, str(exc.detail))
        if response is not None:
            problem.extra_headers = {
                k: v
                for k, v in response.headers.items()
                if k in ("Retry-After", "Allow", "WWW-Authenticate")
            }
    if problem is None:
        return None
    return problem_response(problem, context.get("request"))


def problem_response(problem: Problem, request=None) -> JsonResponse:
    """The problem as `application/problem+json`, whatever renderer the view has (the
    schema's YAML one included)."""
    body = {
        "type": "about:blank",
        "title": _title(problem.status_code),
        "status": problem.status_code,
        "code": problem.code,
        "detail": str(problem.detail),
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    if request is not None:
        body["instance"] = request.path
    response = JsonResponse(
        body,
        status=problem.status_code,
        content_type=PROBLEM_JSON,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in problem.extra_headers.items():
        response[name] = value
    if problem.status_code == 401 and "WWW-Authenticate" not in problem.extra_headers:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def not_found_problem() -> Problem:
    return Problem(404, "not_found", _("There is nothing here (or it was deleted)."))


def _megabytes(size: int | None) -> str:
    return f"{(size or 0) / (1024 * 1024):.1f}"


def is_api_request(request) -> bool:
    """A request under the API's root (`/api/v1/`) but for its docs page, which is a page:
    a middleware that refuses it answers with a problem."""
    from django.urls import URLResolver, get_resolver, reverse

    roots = [
        "/" + str(entry.pattern)
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "api"
    ]
    path = request.path_info
    return any(path.startswith(root) for root in roots) and path != reverse("api:docs")


def _title(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"
