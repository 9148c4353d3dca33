"""The app's URLs plus P2's baseline, for the bench's gunicorn only.

The bare INSERT view lives here, not in the app: it is mounted only by
`bench.server_settings` (ROOT_URLCONF), which only the bench's gunicorn uses, so the
production URL conf (`newsroom.urls`) never serves it.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from newsroom.urls import handler500  # noqa: F401 - the same error page
from newsroom.urls import urlpatterns as app_urlpatterns


@require_POST
def bare_insert(request, pk):
    """P2's baseline: the same stack (middleware, session, user, CSRF), one INSERT."""
    now = timezone.now()
    data = request.POST
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO annotations_annotation (article_id, start, "end", quote, prefix, '
            "suffix, label, note, evidence_url, created_at, updated_at, anchor_state, "
            "anchor_reason, original_quote, created_by_id, updated_by_id) "
            "VALUES (%s, %s, %s, %s, '', '', %s, '', '', %s, %s, 'anchored', '', '', %s, %s)",
            [pk, int(data["start"]), int(data["end"]), data["quote"], data["label"], now, now,
             request.user.pk, request.user.pk],
        )  # fmt: skip
    return HttpResponse(status=204)


# bench.server.BARE_INSERT_PATH
urlpatterns = [*app_urlpatterns, path("__bench__/insert/<int:pk>/", bare_insert)]
