"""The API's views: thin, as the web's are. Load (live articles and their claims only), check
with the web's forms (`binding`), write through the services, answer with `serializers`."""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import forms as web_forms
from .. import permissions, selectors, services
from ..filters import ArticleFilter, ClaimFilter
from ..models import Annotation, Article
from . import serializers as out
from .binding import bind, check_filters, filter_parameters, form_serializer
from .problems import PROBLEM_JSON, Problem, invalid

# --- Shared ---------------------------------------------------------------------------------


class NewestFirst(CursorPagination):
    """Cursor pages, newest first: `{"results": [...], "next": URL or null, "previous": …}`.
    A cursor stays right while rows are added (no page shifts under a script). A cursor or a
    page size that cannot be read is refused (400), never taken as "the first page"."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = "From a `next` or `previous` link, as it came."
    page_size_query_description = "Rows per page, 1 to 500 (50 if left out)."

    def get_page_size(self, request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        raw, most = values[0], self.max_page_size
        if len(values) > 1 or not re.fullmatch(r"\d{1,4}", raw) or not 1 <= int(raw) <= most:
            message = _("Send a whole number from 1 to %(n)d.") % {"n": self.max_page_size}
            raise invalid({self.page_size_query_param: [message]}, status_code=400)
        return int(raw)

    def decode_cursor(self, request):
        try:
            if len(request.query_params.getlist(self.cursor_query_param)) > 1:
                raise ValueError("two cursors")
            cursor = super().decode_cursor(request)
            # The position is the id the page starts after (ordering "-id"): a whole number
            # that fits the column, or the cursor was not one of ours.
            position = cursor.position if cursor is not None else None
            if position is not None and not _is_an_id(position):
                raise ValueError(position)
            return cursor
        except Exception as exc:  # DRF raises NotFound for a cursor it cannot read
            raise Problem(
                400,
                "invalid_cursor",
                _("This cursor cannot be read: use the “next” link as it came."),
            ) from exc

    def get_paginated_response_schema(self, schema: dict) -> dict:
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["next", "previous", "results"]  # null when there is none
        return page


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor", str, OpenApiParameter.QUERY, description=NewestFirst.cursor_query_description
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": NewestFirst.max_page_size},
        OpenApiParameter.QUERY,
        description=NewestFirst.page_size_query_description,
    ),
]


def _is_an_id(text: str) -> bool:
    return re.fullmatch(r"\d{1,19}", text) is not None and int(text) < 2**63


def _page(view: APIView, request: Request, queryset, serializer_class) -> Response:
    paginator = view.pagination_class()
    rows = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(rows, many=True).data)


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Any other address under /api/v1/ (a mistyped path, an id that is not a whole number
    above 0, a path without its last slash): a 404 problem for every method, OPTIONS and
    methods HTTP does not have included, never the site's HTML page nor a redirect (which
    would drop a POST's body). It is no endpoint, so the schema leaves it out; like every
    endpoint it answers only a caller with a role (401 or 403 first)."""

    def http_method_not_allowed(self, request: Request, *args, **kwargs) -> Response:
        detail = _("There is no such address in the API (see /api/v1/schema/).")
        if _an_endpoint(request.path_info + "/"):
            detail = _("There is no such address in the API: its addresses end with “/”.")
        raise Problem(404, "not_found", detail)

    get = post = put = patch = delete = options = trace = http_method_not_allowed


def _an_endpoint(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        return getattr(resolve(path).func, "cls", None) is not NoSuchEndpoint
    except Resolver404:
        return False


def _live_article(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.alive().select_related("assignee", "created_by"), pk=pk
    )


def _live_claim(pk: int) -> Annotation:
    claims = Annotation.objects.select_related("source", "created_by", "updated_by")
    return get_object_or_404(
        selectors.with_evidence(claims), pk=pk, article__deleted_at__isnull=True
    )


# What each refusal means, for the schema. Every operation may answer 400 (a request that
# cannot be read: a query string that is not UTF-8), 401, 403 and 429; those with a body also
# 413 (over DATA_UPLOAD_MAX_MEMORY_SIZE), 415 (not JSON) and 422.
PROBLEMS = {
    400: "Malformed: a body, query string or header that cannot be read",
    401: "No valid token or session",
    403: "Not allowed for this role",
    404: "Not found (or deleted)",
    409: "Conflict: the article is here already, or its text changed since the version sent",
    412: "Someone corrected it first: If-Match is not the current version",
    413: "The body is too large",
    415: "The body is not JSON (Content-Type: application/json)",
    422: "Refused: field errors",
    428: "If-Match missing",
    429: "Too many requests (Retry-After)",
}
_ALWAYS = (400, 401, 403, 429)
_WITH_BODY = (413, 415, 422)


def _problems(*codes: int, body: bool = False) -> dict:
    """The problems an operation may answer with, as `application/problem+json`."""
    chosen = sorted({*_ALWAYS, *codes, *(_WITH_BODY if body else ())})
    return {
        (code, PROBLEM_JSON): OpenApiResponse(out.ProblemSerializer, description=PROBLEMS[code])
        for code in chosen
    }


def _problem(code: int, description: str) -> dict:
    """One refusal an operation answers with, described in its own words."""
    return {(code, PROBLEM_JSON): OpenApiResponse(out.ProblemSerializer, description=description)}


def _json_body(request: Request):
    """The JSON the request carries. An empty body is not JSON (DRF would read it as `{}`,
    which, for a PATCH, changes nothing): a 400 problem."""
    if request.stream is None:
        raise Problem(400, "malformed", _("Send a JSON object: the body is empty."))
    return request.data


def _if_match(request: Request) -> int:
    """The version in `If-Match` ("3", or the ETag `"3"`), or a 428 problem."""
    value = request.headers.get("If-Match", "").strip()
    if not value:
        raise Problem(
            428,
            "precondition_required",
            _('Send the version you corrected as If-Match (the article\'s ETag, e.g. "3").'),
        )
    match = re.fullmatch(r'(?:W/)?"?([1-9]\d{0,8})"?', value)
    if not match:
        raise Problem(400, "malformed", _('If-Match must be the article\'s version, e.g. "3".'))
    return int(match.group(1))


# --- Articles -------------------------------------------------------------------------------

ArticleIn = form_serializer(web_forms.ArticleForm, "ArticleIn")
CorrectionIn = form_serializer(
    web_forms.CorrectionForm, "CorrectionIn", optional=True, exclude=("version",)
)


class ArticleList(APIView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="articles_list",
        parameters=[
            *(p for p in filter_parameters(ArticleFilter) if p.name != "sort"),
            *PAGE_PARAMETERS,
        ],
        responses={200: out.paged(out.ArticleSerializer), **_problems()},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.copy()
        params.pop("cursor", None)
        params.pop("page_size", None)
        chosen = ArticleFilter(params)
        check_filters(chosen)
        if chosen.form.cleaned_data.get("sort"):  # the page's order; a cursor page's is fixed
            message = _("The API's lists are newest first, in cursor pages: leave out sort.")
            raise invalid({"sort": [message]}, status_code=400)
        articles = chosen.qs.select_related("assignee", "created_by")
        return _page(self, request, articles, out.ArticleSerializer)

    @extend_schema(
        operation_id="articles_create",
        request=ArticleIn,
        responses={201: out.ArticleDetailSerializer, **_problems(409, body=True)},
    )
    def post(self, request: Request) -> Response:
        form = bind(web_forms.ArticleForm, _json_body(request))
        article = services.article_create(user=request.user, **form.cleaned_data)
        body = out.ArticleDetailSerializer(article).data
        return Response(body, status=status.HTTP_201_CREATED, headers=_etag(article))


def _unchanged(row, data: dict, *, ignore: tuple[str, ...] = ()) -> bool:
    """A PATCH that would change none of the row's fields (`data`: the form's cleaned data,
    with the row's values where the PATCH left them out)."""
    return all(getattr(row, name) == value for name, value in data.items() if name not in ignore)


def _etag(article: Article) -> dict[str, str]:
    return {"ETag": f'"{article.version}"', "Location": f"/api/v1/articles/{article.pk}/"}


class ArticleDetail(APIView):
    @extend_schema(
        operation_id="articles_retrieve",
        responses={200: out.ArticleDetailSerializer, **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        article = _live_article(pk)
        return Response(out.ArticleDetailSerializer(article).data, headers=_etag(article))

    @extend_schema(
        operation_id="articles_correct",
        request=CorrectionIn,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="The version corrected (the article's ETag).",
            )  # fmt: skip
        ],
        responses={200: out.ArticleDetailSerializer, **_problems(404, 412, 428, body=True)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        article = _live_article(pk)
        version = _if_match(request)
        sent = _json_body(request)
        if isinstance(sent, dict) and "version" in sent:
            raise invalid({"version": [_("Send the version as If-Match, not in the body.")]})
        current = {
            "title": article.title,
            "body": article.body,
            "url": article.url,
            "outlet": article.outlet,
            "author": article.author,
            "published_at": article.published_at.isoformat() if article.published_at else "",
            "language": article.language,
            "version": str(version),
        }
        form = bind(web_forms.CorrectionForm, sent, partial_from=current)
        data = dict(form.cleaned_data)
        data.pop("version")
        if _unchanged(article, data, ignore=("note",)):  # no new version for nothing
            permissions.require_correct_article(request.user, article)
            if version != article.version:
                raise services.ArticleConflict(current=article, seen_version=version)
            return Response(out.ArticleDetailSerializer(article).data, headers=_etag(article))
        result = services.article_correct(
            article=article,
            user=request.user,
            expected_version=version,
            body=data.pop("body"),
            note=data.pop("note"),
            **data,
        )
        corrected = _live_article(result.article.pk)
        return Response(out.ArticleDetailSerializer(corrected).data, headers=_etag(corrected))

    @extend_schema(
        operation_id="articles_destroy",
        responses={204: None, **_problems(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.article_delete(article=_live_article(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Claims ---------------------------------------------------------------------------------


class ClaimCreateApiForm(web_forms.ClaimCreateForm):
    """The page's claim form, with the article it goes on (the page has it in its URL)."""

    article = web_forms.forms.IntegerField(min_value=1, max_value=web_forms.MAX_INT)


ClaimIn = form_serializer(ClaimCreateApiForm, "ClaimIn")
ClaimChange = form_serializer(web_forms.ClaimDetailsForm, "ClaimChange", optional=True)


class ClaimList(APIView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="claims_list",
        parameters=[*filter_parameters(ClaimFilter), *PAGE_PARAMETERS],
        responses={200: out.paged(out.ClaimSerializer), **_problems()},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.copy()
        params.pop("cursor", None)
        params.pop("page_size", None)
        chosen = ClaimFilter(params)
        check_filters(chosen)
        claims = chosen.qs.select_related("source", "created_by", "updated_by")
        return _page(self, request, selectors.with_evidence(claims), out.ClaimSerializer)

    @extend_schema(
        operation_id="claims_create",
        request=ClaimIn,
        responses={201: out.ClaimSerializer, **_problems(404, 409, body=True)},
    )
    def post(self, request: Request) -> Response:
        form = bind(ClaimCreateApiForm, _json_body(request))
        data = form.cleaned_data
        try:
            result = services.annotation_create(
                # Only its id: the service reads the article under its lock, or says it is gone.
                article=Article(pk=data["article"]),
                user=request.user,
                start=data["start"],
                end=data["end"],
                quote=data["quote"],
                **form.details(),
                seen_version=data["version"],
                from_suggestion=data["from_suggestion"],
            )
        except services.ArticleGone as exc:
            raise Http404(" ".join(exc.messages)) from exc
        claim = _live_claim(result.annotation.pk)
        return Response(
            out.ClaimSerializer(claim).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/claims/{claim.pk}/"},
        )


class ClaimDetail(APIView):
    @extend_schema(
        operation_id="claims_retrieve",
        responses={200: out.ClaimSerializer, **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(out.ClaimSerializer(_live_claim(pk)).data)

    @extend_schema(
        operation_id="claims_update",
        request=ClaimChange,
        responses={200: out.ClaimSerializer, **_problems(404, body=True)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        claim = _live_claim(pk)
        current = {  # as form data: what the PATCH leaves as it is
            name: "" if value is None else str(value)
            for name, value in web_forms.ClaimDetailsForm.values_of(claim).items()
        }
        form = bind(web_forms.ClaimDetailsForm, _json_body(request), partial_from=current)
        data = form.cleaned_data
        if not data["new_source_name"].strip() and _unchanged(
            claim, data, ignore=("new_source_name", "new_source_kind")
        ):  # no history row for nothing
            permissions.require_change_annotation(request.user, claim)
            return Response(out.ClaimSerializer(claim).data)
        services.annotation_update(
            annotation=claim,
            user=request.user,
            **form.details(),
        )
        return Response(out.ClaimSerializer(_live_claim(pk)).data)

    @extend_schema(
        operation_id="claims_destroy",
        responses={204: None, **_problems(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.annotation_delete(annotation=_live_claim(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimHistory(APIView):
    @extend_schema(
        operation_id="claims_history",
        responses={200: out.ClaimHistorySerializer(many=True), **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        claim = _live_claim(pk)
        rows = (
            Annotation.history.filter(id=claim.pk)
            .select_related("history_user")
            .order_by("-history_id")
        )
        changes = {"+": "created", "~": "changed", "-": "deleted"}
        return Response(
            [
                {
                    "history_id": row.history_id,
                    "change": changes[row.history_type],
                    "at": row.history_date,
                    "by": row.history_user.get_username() if row.history_user else None,
                    "reason": row.history_change_reason,
                    "start": row.start,
                    "end": row.end,
                    "quote": row.quote,
                    "label": row.label,
                    "source": row.source_id,
                    "credibility": row.credibility,
                    "note": row.note,
                    "evidence_url": row.evidence_url,
                    "anchor_state": row.anchor_state,
                    "shared_claim": row.shared_claim_id,
                }
                for row in rows[:500]
            ]
        )
