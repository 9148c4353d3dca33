"""The W3C Web Annotation Protocol (https://www.w3.org/TR/annotation-protocol/) at
/api/v1/annotations/: the desk's claims as an LDP Basic Container of annotations, in the
shape of our JSON-LD export (exporters/jsonld.py), with the container's IRI as their ids.

- GET the container: its description (`BasicContainer`, `AnnotationCollection`, `total`,
  `first`, `last`), with the first page embedded, as IRIs or full descriptions as `Prefer`
  asks (`?iris=1` or `?iris=0` in its IRI says which); `?page=N` is one AnnotationPage.
- POST an annotation of one of our articles: a claim, made by `services.annotation_create`.
- GET, PUT (`If-Match`) and DELETE (`If-Match`) one annotation: the claim, changed or deleted
  by the services, which decide who may.

Headers as the protocol asks: the container's `Link` types and constraints, `Allow`,
`Accept-Post`, `Vary: Accept, Prefer`, an `ETag` on every representation (a hash of it), and
`application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`. Claims of deleted
articles are invisible, as everywhere. What comes in is read by `w3c_reading`; what goes out
is written by `w3c_docs`. README "W3C Web Annotation Protocol" says what is refused and why.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import anchoring, names, permissions, services
from ..downloads import site_url
from ..exporters.jsonld import ANNO_CONTEXT
from ..forms import ClaimCreateForm, ClaimDetailsForm
from ..models import Annotation, Source
from . import w3c_docs as docs
from . import w3c_reading
from .parsers import JsonParser
from .problems import NON_FIELD, Problem, _django_errors, invalid, not_found_problem
from .views import _problems

MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
CONTAINER_LINK = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
RESOURCE_LINK = (
    '<http://www.w3.org/ns/ldp#Resource>; rel="type", '
    '<http://www.w3.org/ns/oa#Annotation>; rel="type"'
)
ACCEPT_POST = f"{MEDIA_TYPE}, application/json"


class JsonLdRenderer(JSONRenderer):
    """JSON-LD. Any `application/ld+json` accepted (a profile or none) is answered with the
    Web Annotation profile, which `ProtocolView` puts in the Content-Type."""

    media_type = "application/ld+json"
    format = "jsonld"


class JsonLdParser(JsonParser):
    media_type = "application/ld+json"


class ContainerPages(BasePagination):
    """The container's pages (`w3c_docs.Listing`): numbered from 0 (`?page=N`), oldest
    claim first, so that a page keeps its claims while new ones are added (they go on the
    last page); `page_size` as the other lists take it."""

    page_size = docs.PAGE_SIZE
    max_page_size = docs.MAX_PAGE_SIZE


class AcceptOnly(DefaultContentNegotiation):
    """The representation chosen by `Accept` only: `?format=` is no parameter here (the
    container's query parameters are its own, and refused when unknown)."""

    class settings:  # what DefaultContentNegotiation reads of DRF's settings
        URL_FORMAT_OVERRIDE = None


class ProtocolSchema(AutoSchema):
    def _get_format_parameters(self) -> list:
        return []


def container_iri(request: Request) -> str:
    """The container's IRI (below the site's address, as the export's ids are)."""
    path = reverse("api:w3c-container").removeprefix(get_script_prefix())
    return f"{site_url(request)}/{path}"


class ProtocolView(APIView):
    """JSON-LD in and out (plain JSON too, when asked for); the protocol's headers on every
    response, refusals included."""

    renderer_classes = [JsonLdRenderer, JSONRenderer]
    parser_classes = [JsonLdParser, JsonParser]
    content_negotiation_class = AcceptOnly
    schema = ProtocolSchema()
    link = ""
    vary = ("Accept",)
    accept_post = ""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Link"] = self.link
        response["Allow"] = ", ".join(self.allowed_methods)
        if self.accept_post:
            response["Accept-Post"] = self.accept_post
        patch_vary_headers(response, self.vary)
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and response.data is not None:
            if request.method == "OPTIONS":  # DRF's description of the endpoint, not JSON-LD
                response.content_type = "application/json"
            elif isinstance(renderer, JsonLdRenderer):
                response.content_type = MEDIA_TYPE
        return response


def _body(request: Request):
    if request.stream is None:
        raise Problem(400, "malformed", _("Send one annotation: the body is empty."))
    return request.data


def _placed(exc: ValidationError) -> Problem:
    return w3c_reading.placed(_django_errors(exc))


def _form_errors(form) -> dict[str, list[str]]:
    return {
        (NON_FIELD if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


# --- The container ---------------------------------------------------------------------------


def _one(request: Request, name: str, pattern: str, message: str) -> str | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1 or not re.fullmatch(pattern, values[0]):
        raise invalid({name: [message]}, status_code=400)
    return values[0]


def _preferences(request: Request) -> set[str]:
    """The IRIs of `include` in `Prefer: return=representation; include="…"` (RFC 7240)."""
    chosen: set[str] = set()
    for preference in request.headers.get("Prefer", "").split(","):
        head, *parameters = preference.split(";")
        if head.replace(" ", "").lower() != "return=representation":
            continue
        for parameter in parameters:
            name, _sep, value = parameter.partition("=")
            if name.strip().lower() == "include":
                chosen.update(value.strip().strip('"').split())
    return chosen


def _pages_message(pages: int) -> str:
    return ngettext(
        "There is %(n)d page (page 0).", "There are %(n)d pages, 0 to %(last)d.", pages
    ) % {"n": pages, "last": pages - 1}


def _listing(request: Request) -> tuple[docs.Listing, int | None]:
    """The container as the request asks for it, and the page asked for (None: the
    container's description). IRIs or descriptions: `?iris=`, else `Prefer` (descriptions
    when it says nothing, or both)."""
    unknown = sorted(set(request.query_params) - {"iris", "page", "page_size"})
    if unknown:
        message = _("This parameter is not known here.")
        raise invalid(dict.fromkeys(unknown, [message]), status_code=400)
    iris = _one(request, "iris", r"[01]", _("Send 0 (descriptions) or 1 (IRIs)."))
    page = _one(request, "page", r"\d{1,9}", _("Send a page number, from 0."))
    sizes = _("Send a whole number from 1 to %(n)d.") % {"n": docs.MAX_PAGE_SIZE}
    size = _one(request, "page_size", r"[1-9]\d{0,2}", sizes)
    if size is not None and int(size) > docs.MAX_PAGE_SIZE:
        raise invalid({"page_size": [sizes]}, status_code=400)
    include = _preferences(request)
    if iris is None:
        iris = "1" if PREFER_IRIS in include and PREFER_DESCRIPTIONS not in include else "0"
    listing = docs.Listing(
        docs.visible(),
        site=site_url(request),
        container=container_iri(request),
        iris=iris == "1",
        size=int(size or docs.PAGE_SIZE),
        size_given=size is not None,
    )
    return listing, None if page is None else int(page)


class Container(ProtocolView):
    """The container: GET its description or a page; POST an annotation (a new claim)."""

    link = CONTAINER_LINK
    vary = ("Accept", "Prefer")
    accept_post = ACCEPT_POST
    pagination_class = ContainerPages

    @extend_schema(
        operation_id="annotations_container",
        description="The W3C Web Annotation Protocol's container of the desk's claims: its "
        "description with its first page, or with `page` one AnnotationPage (from 0).",
        parameters=[
            *docs.CONTAINER_PARAMETERS,
            *docs.headers(200, "ETag", "Link", "Allow", "Content-Location", "Accept-Post"),
        ],
        responses={
            **docs.answers(200, docs.CONTAINER_OUT, "The container, or one of its pages"),
            **_problems(404),
        },
    )
    def get(self, request: Request) -> Response:
        listing, page = _listing(request)
        include = _preferences(request)
        if page is None:
            document = listing.description(minimal=PREFER_MINIMAL in include)
        elif page < listing.pages:
            document = listing.page(page)
        else:
            raise Problem(404, "not_found", _pages_message(listing.pages))
        headers = {
            "ETag": docs.document_etag(document),
            "Content-Location": document["id"],
        }
        if page is None and include & {PREFER_MINIMAL, PREFER_IRIS, PREFER_DESCRIPTIONS}:
            headers["Preference-Applied"] = "return=representation"
        return Response(document, headers=headers)

    @extend_schema(
        operation_id="annotations_create",
        description="An annotation of one of our articles, in the shape of the JSON-LD "
        "export, becomes a claim (README: W3C Web Annotation Protocol).",
        request=docs.annotation_request(),
        parameters=docs.headers(201, "ETag", "Location"),
        responses={
            **docs.answers(201, docs.ANNOTATION_OUT, "The claim, as an annotation"),
            **_problems(body=True),
        },
    )
    def post(self, request: Request) -> Response:
        if "page" in request.query_params:
            message = _("POST to the container itself: its pages are read only.")
            raise Problem(405, "method_not_allowed", message)
        unknown = sorted(set(request.query_params) - {"iris"})
        if unknown:
            message = _("This parameter is not known here.")
            raise invalid(dict.fromkeys(unknown, [message]), status_code=400)
        site = site_url(request)
        incoming = w3c_reading.read(_body(request), site_url=site)
        start, end = _placement(incoming)
        form = ClaimCreateForm(
            data={
                **incoming.form_data(),
                "start": str(start),
                "end": str(end),
                "quote": incoming.quote,
                "new_source_name": incoming.source,
            }
        )
        if not form.is_valid():
            raise w3c_reading.placed(_form_errors(form))
        data = form.cleaned_data
        try:
            result = services.annotation_create(
                article=incoming.article,
                user=request.user,
                **{name: data[name] for name in ("start", "end", "quote")},
                **{name: data[name] for name in w3c_reading.DETAILS},
                new_source_name=data["new_source_name"],
                canonical=incoming.canonical or "",
                via=incoming.id or incoming.via or "",  # the id it had before: `via`
            )
        except ValidationError as exc:
            raise _placed(exc) from exc
        row = docs.row_of(result.annotation.pk)
        document = docs.description(row, site=site, container=container_iri(request))
        headers = {"Location": document["id"], "ETag": docs.etag(row)}
        return Response(document, status=status.HTTP_201_CREATED, headers=headers)


def _placement(incoming: w3c_reading.Incoming) -> tuple[int, int]:
    """The offsets of the TextPositionSelector; without one, where the TextQuoteSelector's
    passage is, when its text (and prefix and suffix) find it once."""
    if incoming.start is not None and incoming.end is not None:
        return incoming.start, incoming.end
    if incoming.start is not None or incoming.end is not None:
        where = w3c_reading.WHERE["start" if incoming.start is None else "end"]
        raise invalid({where: [_("Send both offsets, start and end.")]})
    body, quote = incoming.article.body, incoming.quote
    prefix, suffix = incoming.prefix, incoming.suffix
    found = [
        at
        for at in anchoring.find_occurrences(body, quote)
        if body[:at].endswith(prefix) and body[at + len(quote) :].startswith(suffix)
    ]
    where = w3c_reading.WHERE["quote"]
    if not found:
        raise invalid({where: [_("This passage is not in the article. Send its exact text.")]})
    if len(found) > 1:
        message = _(
            "This passage is in the article %(n)d times: send a TextPositionSelector, or a "
            "prefix and suffix that tell them apart."
        )
        raise invalid({where: [message % {"n": len(found)}]})
    return found[0], found[0] + len(quote)


# --- One annotation --------------------------------------------------------------------------


def _locked(pk: int) -> Annotation:
    """The claim, locked until the transaction ends (its ETag is checked, then it is
    written), or a 404 problem."""
    claim = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("source")
        .filter(pk=pk, article__deleted_at__isnull=True)
        .first()
    )
    if claim is None:
        raise not_found_problem()
    return claim


def _check_if_match(request: Request, current: str) -> None:
    value = request.headers.get("If-Match", "").strip()
    if not value:
        raise Problem(
            428,
            "precondition_required",
            _("Send the annotation's ETag as If-Match: GET it, and send its ETag as it came."),
        )
    if value == "*":
        return
    tags = [tag.strip() for tag in value.split(",")]
    if not all(re.fullmatch(r'(?:W/)?"[\x21\x23-\x7e]{0,200}"', tag) for tag in tags):
        raise Problem(
            400,
            "malformed",
            _("If-Match must be the annotation's ETag as it came, in its quotes."),
        )
    if current not in tags:  # a strong comparison: a weak tag (W/"…") never matches
        raise Problem(
            412,
            "version_mismatch",
            _(
                "Someone changed this annotation since you read it: GET it again and redo "
                "your change on what it says now."
            ),
            etag=current,
        )


def _read_only(member: str, message: str) -> Problem:
    return Problem(409, "read_only", message, errors={member: [message]})


def _refuse_what_cannot_change(
    incoming: w3c_reading.Incoming, claim: Annotation, row, *, iri: str
) -> None:
    """What a PUT may not change: the id, `canonical` and `via`, and the target (the
    article and the passage: a claim's span is moved on the article's page)."""
    if incoming.id is not None and incoming.id != iri:
        raise _read_only("id", _("An annotation's id is its address: %(iri)s.") % {"iri": iri})
    for member in ("canonical", "via"):
        sent = getattr(incoming, member)
        if sent is not None and sent != getattr(claim, member):
            message = _(
                "“%(member)s” is kept as the annotation was created with it: it cannot change."
            )
            raise _read_only(member, message % {"member": member})
    offsets = (incoming.start, incoming.end)
    if (
        incoming.article.pk != claim.article_id
        or incoming.quote != row.quote
        or (offsets != (None, None) and offsets != (row.start, row.end))
    ):
        raise _target_change()


def _target_change() -> Problem:
    message = _(
        "The target cannot change here: it is the claim's passage. Move the claim on the "
        "article's page, or delete this annotation and create another."
    )
    return Problem(409, "target_change", message, errors={"target": [message]})


def _source_choice(claim: Annotation, name: str) -> tuple[Source | None, str]:
    """(source kept, new name): the claim's source when the name is its own (any case);
    else the name, found or proposed by the service; none for no name."""
    if not name:
        return None, ""
    if claim.source is not None and names.fold_name(name) == names.fold_name(claim.source.name):
        return claim.source, ""
    return None, name


class AnnotationResource(ProtocolView):
    """One annotation (a claim): GET it; PUT its new state or DELETE it, with If-Match."""

    link = RESOURCE_LINK

    @extend_schema(
        operation_id="annotations_retrieve",
        parameters=docs.headers(200, "ETag", "Link", "Allow"),
        responses={
            **docs.answers(200, docs.ANNOTATION_OUT, "The claim, as an annotation"),
            **_problems(404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        row = docs.row_of(pk)
        if row is None:
            raise not_found_problem()
        document = docs.description(row, site=site_url(request), container=container_iri(request))
        return Response(document, headers={"ETag": docs.etag(row)})

    @extend_schema(
        operation_id="annotations_update",
        description="The annotation's new state: its label, source, credibility, note, "
        "public summary and evidence link may change; its target, id, canonical and via "
        "may not (409).",
        request=docs.annotation_request(),
        parameters=[docs.IF_MATCH, *docs.headers(200, "ETag")],
        responses={
            **docs.answers(200, docs.ANNOTATION_OUT, "The claim, as an annotation"),
            **_problems(404, 409, 412, 428, body=True),
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        data = _body(request)
        site, container = site_url(request), container_iri(request)
        with transaction.atomic():
            claim = _locked(pk)
            row = docs.row_of(pk)
            _check_if_match(request, docs.etag(row))
            try:
                incoming = w3c_reading.read(data, site_url=site)
            except Problem as exc:  # a target elsewhere: for a PUT, a target that moved
                raise (_target_change() if exc.code == "unknown_target" else exc) from exc
            _refuse_what_cannot_change(incoming, claim, row, iri=f"{container}{pk}/")
            form = ClaimDetailsForm(
                data={**incoming.form_data(), "new_source_name": incoming.source}
            )
            if not form.is_valid():
                raise w3c_reading.placed(_form_errors(form))
            new = form.cleaned_data
            source, new_name = _source_choice(claim, new["new_source_name"])
            fields = w3c_reading.DETAILS
            if (
                not new_name
                and source == claim.source
                and all(new[name] == getattr(claim, name) for name in fields)
            ):  # no history row for nothing
                permissions.require_change_annotation(request.user, claim)
            else:
                try:
                    services.annotation_update(
                        annotation=claim,
                        user=request.user,
                        source=source,
                        new_source_name=new_name,
                        **{name: new[name] for name in fields},
                    )
                except ValidationError as exc:
                    raise _placed(exc) from exc
        row = docs.row_of(pk)
        document = docs.description(row, site=site, container=container)
        return Response(document, headers={"ETag": docs.etag(row)})

    @extend_schema(
        operation_id="annotations_destroy",
        parameters=[docs.IF_MATCH],
        responses={204: None, **_problems(404, 412, 428)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            claim = _locked(pk)
            _check_if_match(request, docs.etag(docs.row_of(pk)))
            services.annotation_delete(annotation=claim, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
