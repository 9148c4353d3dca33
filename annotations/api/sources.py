"""Sources through the API: the directory (with the web's SourceFilter and its search), a
source, proposing one, and, for reviewers, review and merge, with the web's forms and
services (`views.sources`)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import forms as web_forms
from .. import permissions, selectors, services
from ..filters import SourceFilter
from ..models import Source
from . import serializers as out
from .binding import bind, check_filters, filter_parameters, form_serializer
from .views import PAGE_PARAMETERS, NewestFirst, _json_body, _page, _problems


def _sources():
    """Sources with their claim counts, names and people, in a fixed number of queries."""
    return (
        selectors.sources_with_counts()
        .select_related("reviewed_by", "created_by")
        .prefetch_related("aliases")
    )


def _source(pk: int) -> Source:
    return get_object_or_404(_sources(), pk=pk)


def _answer(source: Source) -> Response:
    return Response(out.SourceSerializer(source).data)


SourceIn = form_serializer(web_forms.SourceProposalForm, "SourceIn")
ReviewIn = form_serializer(web_forms.SourceReviewForm, "SourceReviewIn")
MergeIn = form_serializer(web_forms.MergeForm, "SourceMergeIn")


class SourceList(APIView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="sources_list",
        parameters=[*filter_parameters(SourceFilter), *PAGE_PARAMETERS],
        responses={200: out.paged(out.SourceSerializer), **_problems()},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.copy()
        params.pop("cursor", None)
        params.pop("page_size", None)
        chosen = SourceFilter(params, queryset=_sources())
        check_filters(chosen)
        return _page(self, request, chosen.qs, out.SourceSerializer)

    @extend_schema(
        operation_id="sources_propose",
        description="Propose a source: it starts pending review. A name (or alias) already "
        "taken is refused (422) with the source that has it.",
        request=SourceIn,
        responses={201: out.SourceSerializer, **_problems(body=True)},
    )
    def post(self, request: Request) -> Response:
        form = bind(web_forms.SourceProposalForm, _json_body(request))
        source = services.source_create(user=request.user, **form.cleaned_data)
        return Response(
            out.SourceSerializer(_source(source.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/sources/{source.pk}/"},
        )


class SourceDetail(APIView):
    @extend_schema(
        operation_id="sources_retrieve",
        responses={200: out.SourceSerializer, **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _answer(_source(pk))


class SourceReview(APIView):
    @extend_schema(
        operation_id="sources_review",
        description="Approve or reject a source at a reliability grade (reviewers and "
        "admins). `expected_status` is the review status you saw: if someone decided "
        "meanwhile, nothing changes (422). Turning a decision around needs `reconsider`.",
        request=ReviewIn,
        responses={200: out.SourceSerializer, **_problems(404, body=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.require_review_sources(request.user)  # as the web's review: who, first
        source = get_object_or_404(Source, pk=pk)
        form = bind(web_forms.SourceReviewForm, _json_body(request))
        services.source_review(source=source, user=request.user, **form.cleaned_data)
        return _answer(_source(pk))


class SourceMerge(APIView):
    @extend_schema(
        operation_id="sources_merge",
        description="Merge another source (`other`) into this one (reviewers and admins): "
        "its claims move here and its names become aliases. It cannot be undone.",
        request=MergeIn,
        responses={200: out.SourceMergedSerializer, **_problems(404, body=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.require_review_sources(request.user)
        keep = get_object_or_404(Source, pk=pk)
        form = bind(web_forms.MergeForm, _json_body(request))
        merged = services.source_merge(
            keep=keep, others=[form.cleaned_data["other"]], user=request.user
        )
        source = _source(pk)
        source.merged_claims = getattr(merged, "merged_claims", 0)
        return Response(out.SourceMergedSerializer(source).data)
