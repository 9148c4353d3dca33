"""The app's URLs plus P2's baseline, for the bench's gunicorn only.

The bare INSERT view lives here, not in the app: it is mounted only by
`bench.server_settings` (ROOT_URLCONF), which only the bench's gunicorn uses, so the
production URL conf (`newsroom.urls`) never serves it.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from annotations.models import Annotation
from newsroom.urls import handler500  # noqa: F401 - the same error page
from newsroom.urls import urlpatterns as app_urlpatterns

# What the request gives; every other column takes the model's default (a column added to
# the model later is filled the same way, so the baseline keeps working).
_SENT = ("article", "start", "end", "quote", "label", "created_by", "updated_by")
_COLUMNS = [f for f in Annotation._meta.concrete_fields if not f.primary_key]


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {quote(Annotation._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


_SQL = _insert_sql()


@require_POST
def bare_insert(request, pk):
    """P2's baseline: the same stack (middleware, session, user, CSRF), one INSERT: no
    check, no history, no answer but 204. The row is built with the model's defaults
    (`pre_save` sets the timestamps) and written with one raw statement, so the ORM's
    compiler is not part of the baseline either."""
    data = request.POST
    user = request.user.pk
    sent = {
        "article": pk,
        "start": int(data["start"]),
        "end": int(data["end"]),
        "quote": data["quote"],
        "label": data["label"],
        "created_by": user,
        "updated_by": user,
    }
    row = Annotation()
    values = []
    for field in _COLUMNS:
        value = sent[field.name] if field.name in _SENT else field.pre_save(row, True)
        values.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(_SQL, values)
    return HttpResponse(status=204)


# bench.server.BARE_INSERT_PATH
urlpatterns = [*app_urlpatterns, path("__bench__/insert/<int:pk>/", bare_insert)]
