# syntax=docker/dockerfile:1
# The newsroom claim annotator: gunicorn serving Django, whitenoise serving static files.
# Build: docker build -t newsroom .     Run: docker compose up (see docker-compose.yml)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The process runs as an unprivileged user. It gets a home directory because gunicorn
# keeps its control socket there; the code in /app stays owned by root, read-only to it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

# Dependencies first, read from pyproject.toml, so that a change to the code alone does
# not reinstall them (this layer is cached until pyproject.toml changes).
COPY pyproject.toml ./
RUN python -m pip install --upgrade pip \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && python -m pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Only what the app needs; nothing from the build context's .env, .venv or databases.
COPY manage.py ./
COPY newsroom ./newsroom
COPY annotations ./annotations
COPY templates ./templates
COPY static ./static
COPY docker/entrypoint.sh ./docker/entrypoint.sh

# Install the project itself. Editable, so there is one copy of the code (in /app, where
# manage.py, templates and static live) and not a second one in site-packages.
RUN python -m pip install --no-deps -e . \
    && chmod 0755 docker/entrypoint.sh

# The interface's translations, compiled with polib (no gettext in the image): the .mo files
# are never committed, so a stale one cannot ship.
RUN BUILDING_IMAGE=1 python manage.py compile_catalogues --force

# Static files are collected into the image and served by whitenoise (hashed names,
# compressed). BUILDING_IMAGE=1 lets settings load without a real SECRET_KEY; these two
# variables exist only for this command and are not set in the running container.
RUN DEBUG=0 BUILDING_IMAGE=1 python manage.py collectstatic --noinput

USER app

EXPOSE 8000

# /healthz answers 200 when the app and its database respond. The request goes to the
# first ALLOWED_HOSTS name (so Django accepts it whatever hosts are configured) and says
# it came over https (so HTTPS=1 behind a proxy does not redirect it). curl is not in slim.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = ([x.strip() for x in os.environ.get('ALLOWED_HOSTS', '').split(',') if x.strip()] or ['localhost'])[0].lstrip('.').replace('*', '') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=8)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
