#!/bin/sh
# Container start: apply migrations, then replace this shell with gunicorn.
#
# With arguments, run them instead (no migrations), e.g.
#   docker compose run --rm web python manage.py createsuperuser
#
# Environment (all optional):
#   WEB_CONCURRENCY   gunicorn worker processes (default 3)
#   GUNICORN_THREADS  threads per worker (default 1; more than 1 switches to gthread)
#   GUNICORN_TIMEOUT  seconds a request may run before its worker is restarted (default 300)
#   MIGRATE_ON_START  1 (default) runs `migrate` first, for a single `docker run` of the image;
#                     docker compose sets 0 and migrates once, in its `migrate` service, so
#                     that any number of web copies can start together
#   GUNICORN_CMD_ARGS extra gunicorn options, read by gunicorn itself
set -eu

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

case "${MIGRATE_ON_START:-1}" in
    0|false|no|off) echo "entrypoint: MIGRATE_ON_START is off, not migrating" ;;
    *) python manage.py migrate --noinput ;;
esac

# --timeout: a sync worker is busy for the whole of a request, and big CSV / JSON-LD
# exports stream from the database for minutes; the default 30 s would kill the worker
# half-way through a download. --graceful-timeout: on stop or restart, requests in flight
# get this long to finish. --worker-tmp-dir: heartbeat files in memory, not on the
# container's overlay disk. Access log to stdout, errors to stderr. --config: the app's own
# hooks (newsroom/gunicorn_conf.py: each worker loads the matcher's dictionaries at start).
exec gunicorn newsroom.wsgi:application \
    --config python:newsroom.gunicorn_conf \
    --bind 0.0.0.0:8000 \
    --workers "${WEB_CONCURRENCY:-3}" \
    --threads "${GUNICORN_THREADS:-1}" \
    --timeout "${GUNICORN_TIMEOUT:-300}" \
    --graceful-timeout 30 \
    --keep-alive 5 \
    --worker-tmp-dir /dev/shm \
    --access-logfile - \
    --error-logfile -
