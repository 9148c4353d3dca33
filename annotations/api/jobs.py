"""An article from its link, through the API: `POST /articles/from-url/` answers 202 with a
job to poll (`GET /jobs/<id>/`), which the task queue runs with the web's URL import guard
(`services.url_imports`). Only the person who asked, or an admin, reads a job."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import forms as web_forms
from .. import permissions, services
from ..models import UrlImport
from . import serializers as out
from .binding import bind, form_serializer
from .views import _json_body, _problems

UrlIn = form_serializer(web_forms.UrlForm, "ArticleFromUrlIn")


class ArticleFromUrl(APIView):
    @extend_schema(
        operation_id="articles_from_url",
        description="Import an article from its link, in the background: 202 with the job "
        "(and its address in `Location`). Poll the job until it is done (then `article` is "
        "its id) or failed (then `error` says why, as the web's URL import would). A link "
        "already imported is refused at once (409, with `existing`).",
        request=UrlIn,
        responses={202: out.UrlImportSerializer, **_problems(409, body=True)},
    )
    def post(self, request: Request) -> Response:
        permissions.require_add_article(request.user)  # as the web's form: who, first
        form = bind(web_forms.UrlForm, _json_body(request))
        record = services.url_import_start(user=request.user, url=form.cleaned_data["url"])
        return Response(
            out.UrlImportSerializer(record).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:job-detail", args=[record.pk])},
        )


class JobDetail(APIView):
    @extend_schema(
        operation_id="jobs_retrieve",
        responses={200: out.UrlImportSerializer, **_problems(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        record = get_object_or_404(UrlImport, pk=pk)
        permissions.require_see_url_import(request.user, record)
        return Response(out.UrlImportSerializer(record).data)
