"""Tests of data migrations: the database taken back to a migration, rows written as they
were then, and the migrations after it run on them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "annotations"]


@contextmanager
def back_at(migration: str) -> Iterator[tuple[Apps, Callable[[], None]]]:
    """The database at `annotations.<migration>`: its models (`apps`), and `forward()`,
    which runs the migrations after it. At the end the database is at the latest again."""
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    before = [("annotations", migration)]
    executor.migrate(before)

    def forward() -> None:
        MigrationExecutor(connection).migrate(latest)

    try:
        yield executor.loader.project_state(before).apps, forward
    finally:
        forward()
