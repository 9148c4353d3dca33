"""Settings of the gunicorn the HTTP rows run against: the app's own, plus one URL for the
baseline of P2 (`bench.server_urls`), and static files served from the finders so no
collectstatic is needed. Only `bench.server.Gunicorn` points DJANGO_SETTINGS_MODULE here."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
WHITENOISE_USE_FINDERS = True
