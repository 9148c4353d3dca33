"""Case-insensitive `icontains` and `iexact` for every script on SQLite too.

SQLite's LIKE and lower() fold only ASCII letters, so on the default `make run` database
"коваленко" would not find "Коваленко". On SQLite, `icontains` and `iexact` on text fields
compare Python-casefolded text instead (a `casefold()` SQL function registered on each new
connection). PostgreSQL's UPPER() already knows every script, so nothing changes there.
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.lookups import IContains, IExact


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def _register_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("casefold", 1, _casefold, deterministic=True)


class _Folded:
    def as_sqlite(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *(_casefold(p) for p in rhs_params))
        return f"casefold({lhs_sql}) LIKE {rhs_sql} ESCAPE '\\'", params


class FoldedIContains(_Folded, IContains):
    pass


class FoldedIExact(_Folded, IExact):
    pass


def install() -> None:
    connection_created.connect(_register_function, dispatch_uid="annotations-casefold")
    for field in (CharField, TextField):
        field.register_lookup(FoldedIContains)
        field.register_lookup(FoldedIExact)
