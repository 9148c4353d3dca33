"""Suggested claims through the API (issue 23): an article's suggestions
(`articles/ID/suggestions/`, the list `manage.py suggest_claims --json` prints), and
dismissing one for everyone (`articles/ID/suggestions/dismissals/`, as X does on the page).
Only those who may tag claims see or dismiss suggestions: a viewer gets a 403 problem.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..forms import SuggestionDismissForm
from . import serializers as out
from .binding import bind, form_serializer
from .views import _json_body, _live_article, _problem, _problems

DismissIn = form_serializer(SuggestionDismissForm, "SuggestionDismissIn")


class ArticleSuggestions(APIView):
    @extend_schema(
        operation_id="articles_suggestions",
        responses={
            200: out.SuggestionSerializer(many=True),
            **_problems(404),
            **_problem(403, "Not allowed for this role: only those who tag claims see them"),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        found = services.suggestions_for(request.user, _live_article(pk))
        return Response([s.as_json() for s in found])


class SuggestionDismissals(APIView):
    @extend_schema(
        operation_id="articles_suggestions_dismiss",
        request=DismissIn,
        responses={
            201: out.SuggestionDismissalSerializer,
            200: out.SuggestionDismissalSerializer,
            **_problems(404, 409, body=True),
        },
        description="Dismiss the suggested claim on body[start:end] for everyone. 201 when "
        "dismissed now; 200 with the earlier dismissal when these words were dismissed "
        "already. A quote that is not body[start:end] is refused (422); `version`, the "
        "article's version the offsets are of, lets a correction made since be followed.",
    )
    def post(self, request: Request, pk: int) -> Response:
        article = _live_article(pk)
        form = bind(SuggestionDismissForm, _json_body(request))
        result = services.dismiss(user=request.user, article=article, **form.dismissal())
        return Response(
            out.SuggestionDismissalSerializer(result.dismissal).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
