"""gunicorn's settings that belong to the app (the image's entrypoint and `make bench` both
pass `--config python:newsroom.gunicorn_conf`; the command line sets the rest).

Each worker loads simplemma's dictionaries (the similar-claims matcher's lemmas: about 4 s
and 250 MB) once it has loaded the app and before it takes a request, instead of in the
first claim save it serves, which would otherwise wait those seconds (longer on a busy
machine) while its editor watches. The worker's --timeout counts from its start, so it must
leave room for this (the image's is 300 s, the bench's 120 s).
"""


def post_worker_init(worker) -> None:
    from annotations import similarity

    similarity.warm_up()
