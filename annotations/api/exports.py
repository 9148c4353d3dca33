"""The exports through the API: the very responses of the web's buttons
(`annotations.downloads`: the same bytes, streamed from the database, for the same filters,
ClaimReview with only the claims the desk publishes), with a token, and a problem for
filters that cannot be read (a 400, and nothing streamed)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from .. import downloads
from ..filters import ClaimFilter
from .binding import check_filters, filter_parameters
from .problems import Problem, invalid
from .views import _problems


class AnyAccept(BaseContentNegotiation):
    """Content negotiation that never refuses. An export answers in its own type (text/csv,
    application/ld+json), and a refusal as a problem, whatever the client accepts: DRF's
    own would answer `Accept: text/csv` with a 406, its only renderer being JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _chosen(request: Request) -> ClaimFilter:
    chosen = ClaimFilter(request.query_params)
    check_filters(chosen)
    return chosen


def _once(request: Request, name: str) -> str | None:
    """A query option sent at most once (as each filter is: `binding.check_filters`), or
    None; sent twice, it is refused rather than one of the two taken."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise invalid({name: [_("Send this option once.")]}, status_code=400)
    return values[0] if values else None


def _option(request: Request, name: str, allowed: tuple[str, ...]) -> str:
    """A query option of the export, one of `allowed` (the first when not given)."""
    value = _once(request, name)
    if value is None:
        return allowed[0]
    if value not in allowed:
        message = _("Send one of: %(values)s.") % {"values": ", ".join(allowed)}
        raise invalid({name: [message]}, status_code=400)
    return value


FILTERS = filter_parameters(ClaimFilter)
DOWNLOAD = OpenApiParameter(
    "Content-Disposition",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="attachment, with the file name the web's button gives (filters and day).",
)


def _file(media_type: str, kind, description: str) -> dict:
    return {
        (200, media_type): OpenApiResponse(kind, description=description),
        **_problems(),
    }


class Export(APIView):
    content_negotiation_class = AnyAccept


class ExportCsv(Export):
    @extend_schema(
        operation_id="exports_claims_csv",
        description="The filtered claims as CSV: the web's Export CSV button.",
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "variant",
                str,
                enum=["safe", "raw"],
                description="safe (default): spreadsheet-safe; raw: exact text, for machines.",
            ),
            OpenApiParameter("bom", str, enum=["0", "1"], description="1: start with a BOM."),
            DOWNLOAD,
        ],
        responses=_file("text/csv", OpenApiTypes.STR, "CSV, UTF-8, one claim a row"),
    )
    def get(self, request: Request) -> HttpResponse:
        chosen = _chosen(request)
        raw = _option(request, "variant", ("safe", "raw")) == "raw"
        bom = _option(request, "bom", ("0", "1")) == "1"
        return downloads.csv_response(chosen, raw=raw, bom=bom)


class ExportJsonld(Export):
    @extend_schema(
        operation_id="exports_claims_jsonld",
        description="The filtered claims as a W3C Web Annotation AnnotationCollection "
        "(JSON-LD); with `page`, one AnnotationPage of it. The web's JSON-LD button.",
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "page", OpenApiTypes.INT, description="One page (from 1) instead of all."
            ),
            DOWNLOAD,
        ],
        responses={
            **_file("application/ld+json", OpenApiTypes.OBJECT, "JSON-LD (Web Annotation)"),
            **_problems(404),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        chosen = _chosen(request)
        page = _once(request, "page")
        if page is not None and not (page.isascii() and page.isdecimal() and len(page) < 10):
            raise invalid({"page": [_("Send a whole number.")]}, status_code=400)
        query = request.query_params.copy()
        query.pop("page", None)
        try:
            return downloads.jsonld_response(
                chosen, site_url=downloads.site_url(request), query=query, page=page
            )
        except downloads.NoSuchPage as exc:
            raise Problem(404, "not_found", str(exc)) from exc


class ExportClaimReview(Export):
    @extend_schema(
        operation_id="exports_claimreview_jsonld",
        description="The filtered claims the desk publishes (vetted) as schema.org "
        "ClaimReview (JSON-LD). The web's ClaimReview button.",
        parameters=[*FILTERS, DOWNLOAD],
        responses=_file("application/ld+json", OpenApiTypes.OBJECT, "JSON-LD (ClaimReview)"),
    )
    def get(self, request: Request) -> HttpResponse:
        return downloads.claimreview_response(
            _chosen(request), site_url=downloads.site_url(request)
        )
