"""Many rows of one model written as tuples, not model instances: `COPY … FROM STDIN` on
PostgreSQL (psycopg 3's `copy.write_row`), one `executemany` on SQLite. For the bulk import,
where building and saving 50,000 instances (and as many history instances) cost far more
than the database's own work. Their history rows are copied from them by the database.

The values go in as they are: the caller has validated them with the app's checks (the
bulk reader), and the database's constraints still decide (a refused row fails the
statement, as a refused `bulk_create` does). What the caller does not give is each field's
default, adapted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin


def _adapt(field, value) -> Any:
    return field.get_db_prep_save(value, connection)


def _as_copy_text(value) -> Any:
    """A constant of every row in the text that COPY parses as the column's type (a time in
    ISO 8601, a choice as its plain value), made once: psycopg would dump it again for each
    row (a third of the COPY's Python time for 50,000 claims)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return str.__str__(value)  # a TextChoices member: its value, as a plain string
    return value


class Table:
    """How rows of `model` are written: the fields `given` in each row (attnames, in
    order), then the `constants` (the same for every row: a time, a user), then every other
    concrete field at its default. The auto primary key is left to the database unless it
    is given."""

    def __init__(self, model: type[Model], given: Sequence[str], constants: dict | None = None):
        constants = constants or {}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [
            f
            for name, f in fields.items()
            if name not in given and name not in constants and not isinstance(f, AutoFieldMixin)
        ]
        self.model = model
        self.fields = fields
        # Every column a row fills, in order: what a history row copies.
        self.attnames = [*given, *constants, *(f.attname for f in rest)]
        self.tail = tuple(_adapt(fields[n], v) for n, v in constants.items()) + tuple(
            _adapt(f, f.get_default()) for f in rest
        )
        if connection.vendor == "postgresql":
            self.tail = tuple(_as_copy_text(v) for v in self.tail)

    def adapt(self, attname: str, value) -> Any:
        """A value of a field that needs the database's form (a date and time)."""
        return _adapt(self.fields[attname], value)

    def write(self, rows: Iterable[tuple]) -> None:
        """Insert `rows` (tuples of the given fields), each completed by the constants."""
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(self.fields[n].column) for n in self.attnames)
        tail = self.tail
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # psycopg's own cursor (Django's has no copy): its errors are Django's as
                # everywhere else (a refused row is an IntegrityError, never a raw one).
                copying = f"COPY {table} ({columns}) FROM STDIN"
                with connection.wrap_database_errors, cursor.cursor.copy(copying) as copy:
                    for row in rows:
                        copy.write_row(row + tail)
            else:
                marks = ", ".join(["%s"] * len(self.attnames))
                insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, [r + tail for r in rows])


def write_with_history(table: Table, rows: list[tuple], *, user_id: int | None, when) -> None:
    """Write `rows` (their first field the primary key) and their history rows as
    `bulk_create_with_history` writes them: each a copy of the row's tracked fields, type
    "+", `user_id`'s, at `when`, with an empty reason, in the order of their keys.

    The history rows are copied by the database from the rows just written (`INSERT …
    SELECT`), not sent a second time: what the history holds is what the table holds."""
    model = table.model
    pk = model._meta.pk
    if table.attnames[0] != pk.attname:
        raise ValueError("write_with_history needs the primary key first in each row")
    if not rows:
        return
    table.write(rows)
    history = model.history.model
    copied = [f for f in history._meta.concrete_fields if f.attname in table.fields]
    constants = {
        "history_date": when,
        "history_change_reason": "",
        "history_type": "+",
        "history_user": user_id,
    }
    fields = [history._meta.get_field(name) for name in constants]
    values = [_adapt(f, v) for f, v in zip(fields, constants.values(), strict=True)]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [*copied, *fields])
    selected = ", ".join(qn(table.fields[f.attname].column) for f in copied)
    # PostgreSQL types a parameter in a SELECT list as text unless told; SQLite needs no
    # type (and its CAST would turn a time's text into a number).
    if connection.vendor == "postgresql":
        given = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    else:
        given = ", ".join(["%s"] * len(fields))
    key = qn(pk.column)
    ids = sorted(row[0] for row in rows)
    if ids[-1] - ids[0] == len(ids) - 1:  # one run of ids (keys are unique)
        wheres = [(f"{key} BETWEEN %s AND %s", [ids[0], ids[-1]])]
    elif connection.vendor == "postgresql":
        wheres = [(f"{key} = ANY(%s)", [ids])]
    else:  # as many ids a statement as the database takes parameters, the constants aside
        size = (connection.features.max_query_params or 10_000) - len(values)
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        wheres = [(f"{key} IN ({', '.join(['%s'] * len(c))})", c) for c in chunks]
    with connection.cursor() as cursor:
        for where, params in wheres:
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT {selected}, {given} FROM {qn(model._meta.db_table)} "
                f"WHERE {where} ORDER BY {key}",
                [*values, *params],
            )


def reserve_ids(model: type[Model], n: int) -> list[int]:
    """`n` new primary keys for `model`'s rows, taken now: on PostgreSQL from the table's
    sequence (no other session gets them); on SQLite past the highest id ever given (the
    caller's transaction holds the database's write lock from its start: the project's
    IMMEDIATE transactions)."""
    if n == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, n],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(
            f"SELECT max({qn(column)}) FROM {qn(table)} UNION ALL "  # noqa: S608
            "SELECT seq FROM sqlite_sequence WHERE name = %s",
            [table],
        )
        last = max((row[0] or 0 for row in cursor.fetchall()), default=0)
    return list(range(last + 1, last + 1 + n))


# SQLite's page cache while a bulk write runs, in KiB: its default (2 MB) is smaller than the
# pages of the claims' 14 indexes that a batch of 50,000 rows touches.
SQLITE_CACHE_KIB = 65536


@contextmanager
def roomy_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for this connection while the block runs, put back
    after (about a third less time writing 50,000 claims); elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")
