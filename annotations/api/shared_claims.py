"""Similar claims through the API (issue 22): a claim's suggestions
(`claims/ID/similar/`, as the claim card and `manage.py similar_claims` give them), linking a
claim as an appearance of the same assertion (`claims/ID/link/`: POST links, DELETE
unlinks), the shared claims (a cursor list, one with its appearances) and, for reviewers,
merging two. The services decide who may and lock the rows (`services.shared_claims`); a
refusal is a problem and changes nothing.

One way to link, on the claim: `{"other": ID}` (a claim of another article: if neither is in
a shared claim yet, a new one is made) or `{"shared_claim": ID}`. Two claims already in two
different shared claims are a 409 `merge_needed`: a reviewer merges the shared claims
(`shared-claims/ID/merge/`, `{"other": ID}` merged into ID).
"""

from __future__ import annotations

import re

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions, services, shared, similarity
from ..models import Annotation, SharedClaim
from ..text import TextRulesForm
from . import serializers as out
from .binding import bind, form_serializer
from .problems import invalid
from .views import PAGE_PARAMETERS, NewestFirst, _json_body, _page, _problem, _problems


def _live_claims():
    return Annotation.objects.filter(article__deleted_at__isnull=True)


class ClaimLinkApiForm(TextRulesForm):
    """What a claim is linked to: another article's claim, or a shared claim (one of them)."""

    other = forms.ModelChoiceField(
        queryset=_live_claims(),
        required=False,
        help_text=gettext_lazy("A claim of another article that makes the same assertion."),
        error_messages={
            "invalid_choice": gettext_lazy("There is no such claim (or its article was deleted).")
        },
    )
    shared_claim = forms.ModelChoiceField(
        queryset=SharedClaim.objects.all(),
        required=False,
        help_text=gettext_lazy("A shared claim to add the claim to as an appearance."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "There is no such shared claim (it may have been merged)."
            )
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and (data.get("other") is None) == (data.get("shared_claim") is None):
            raise forms.ValidationError(
                _(
                    "Send the claim to link to as “other”, or a shared claim as "
                    "“shared_claim”: one of the two."
                )
            )
        return data


class SharedClaimMergeApiForm(TextRulesForm):
    other = forms.ModelChoiceField(
        queryset=SharedClaim.objects.all(),
        help_text=gettext_lazy("The shared claim to merge into this one."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "There is no such shared claim (it may have been merged)."
            )
        },
    )


LinkIn = form_serializer(ClaimLinkApiForm, "ClaimLinkIn")
MergeIn = form_serializer(SharedClaimMergeApiForm, "SharedClaimMergeIn")

LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": shared.MOST_SUGGESTIONS},
    OpenApiParameter.QUERY,
    description=f"How many at most, 1 to {shared.MOST_SUGGESTIONS} "
    f"({similarity.LIMIT} if left out).",
)


def _limit(request: Request) -> int:
    """`?limit=`, once, a whole number from 1 to MOST_SUGGESTIONS; a 400 problem otherwise."""
    values = request.query_params.getlist("limit")
    if not values:
        return similarity.LIMIT
    raw, most = values[0], shared.MOST_SUGGESTIONS
    if len(values) > 1 or not re.fullmatch(r"\d{1,3}", raw) or not 1 <= int(raw) <= most:
        message = _("Send a whole number from 1 to %(n)d.") % {"n": most}
        raise invalid({"limit": [message]}, status_code=400)
    return int(raw)


def _live_claim(pk: int) -> Annotation:
    return get_object_or_404(_live_claims().select_related("article"), pk=pk)


def _shared_claims():
    return shared.shared_claims_with_counts().select_related("created_by")


def _detail(pk: int) -> Response:
    """A shared claim with its appearances (`shared.spread`): three queries."""
    found = get_object_or_404(_shared_claims(), pk=pk)
    found.spread = shared.spread(found)
    return Response(out.SharedClaimDetailSerializer(found).data)


MERGE_NEEDED = _problem(
    409, "merge_needed: the two claims are in two different shared claims already"
)


# Said by the similar claims' answer while some claims' terms are pending (shared.Suggestions).
PENDING_HEADER = "Similar-Claims-Pending"


class ClaimSimilar(APIView):
    @extend_schema(
        operation_id="claims_similar",
        description="The claims of other articles that likely make the same assertion, best "
        "first, at most one per shared claim and none of the claim's own shared claim: what "
        "the claim card suggests, and `manage.py similar_claims` prints. While claims "
        "imported a moment ago are still being indexed for this search, the answer has the "
        "header `Similar-Claims-Pending: true`: they may be missing; ask again in a minute.",
        parameters=[LIMIT],
        responses={200: out.SimilarClaimSerializer(many=True), **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        limit = _limit(request)
        found = shared.suggestions_for_claim(_live_claim(pk), limit=limit)
        response = Response(out.SimilarClaimSerializer(found, many=True).data)
        if found.pending:
            response[PENDING_HEADER] = "true"
        return response


class ClaimLink(APIView):
    @extend_schema(
        operation_id="claims_link",
        description="Link the claim as an appearance of the same assertion as `other` (a "
        "claim of another article) or of `shared_claim`: send one of the two. Answers with "
        "the shared claim (made when neither claim was in one). Linking what is linked "
        "already changes nothing. Editors, reviewers and admins, on anyone's claims.",
        request=LinkIn,
        responses={
            200: out.SharedClaimDetailSerializer,
            **_problems(404, body=True),
            **MERGE_NEEDED,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.require_link_claims(request.user)  # who, first
        claim = _live_claim(pk)
        data = bind(ClaimLinkApiForm, _json_body(request)).cleaned_data
        linked = services.shared_claim_link(
            claim=claim, user=request.user, other=data["other"], shared_claim=data["shared_claim"]
        )
        return _detail(linked.pk)

    @extend_schema(
        operation_id="claims_unlink",
        description="Take the claim out of its shared claim (the shared claim keeps its other "
        "appearances). A claim in none: nothing changes.",
        responses={204: None, **_problems(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.shared_claim_unlink(claim=_live_claim(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharedClaimList(APIView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="shared_claims_list",
        parameters=PAGE_PARAMETERS,
        responses={200: out.paged(out.SharedClaimSerializer), **_problems()},
    )
    def get(self, request: Request) -> Response:
        return _page(self, request, _shared_claims(), out.SharedClaimSerializer)


class SharedClaimDetail(APIView):
    @extend_schema(
        operation_id="shared_claims_retrieve",
        responses={200: out.SharedClaimDetailSerializer, **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail(pk)


class SharedClaimMerge(APIView):
    @extend_schema(
        operation_id="shared_claims_merge",
        description="Merge another shared claim (`other`) into this one (reviewers and "
        "admins): its appearances move here and it is gone. It cannot be undone.",
        request=MergeIn,
        responses={200: out.SharedClaimDetailSerializer, **_problems(404, body=True)},
    )
    def post(self, request: Request, pk: int) -> Response:
        permissions.require_merge_shared_claims(request.user)  # who, first
        keep = get_object_or_404(SharedClaim, pk=pk)
        data = bind(SharedClaimMergeApiForm, _json_body(request)).cleaned_data
        services.shared_claim_merge(keep=keep, merge=data["other"], user=request.user)
        return _detail(keep.pk)
