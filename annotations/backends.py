"""Django's ModelBackend, reading a signed-in user and their permissions in one query.

ModelBackend reads the user (`get_user`, for every request with a session) and then, at
the first permission check, the user's own permissions and their groups' in two more
queries. Every page checks a role, so those are three queries on every request; here they
are one: the user's row joined to the union of both relations. The permissions are kept
on the user object for the request (`_perm_cache`), exactly where Django keeps them, and
read again on the next request: nothing outlives the request, so a role taken away
applies at once, in every process.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q


@cache
def _user_with_permissions_sql() -> str:
    """The user's columns, then one permission ("app_label.codename") a row, or NULL; the
    user's id goes in three times (each branch of the union is read for that user only)."""
    user = get_user_model()
    q = connection.ops.quote_name
    perm, ct = Permission._meta, ContentType._meta
    own = user._meta.get_field("user_permissions").remote_field.through._meta
    groups = user._meta.get_field("groups").remote_field.through._meta
    group_perms = Group._meta.get_field("permissions").remote_field.through._meta
    columns = ", ".join(f"u.{q(f.column)}" for f in user._meta.concrete_fields)
    label = "ct.app_label || '.' || p.codename"  # SQL's concatenation: SQLite, PostgreSQL
    return (
        f"SELECT {columns}, x.perm FROM {q(user._meta.db_table)} u LEFT JOIN ("  # noqa: S608
        f"SELECT up.{q('user_id')} AS uid, {label} AS perm FROM {q(own.db_table)} up "
        f"JOIN {q(perm.db_table)} p ON p.id = up.{q('permission_id')} "
        f"JOIN {q(ct.db_table)} ct ON ct.id = p.{q('content_type_id')} "
        f"WHERE up.{q('user_id')} = %s "
        "UNION "
        f"SELECT ug.{q('user_id')}, {label} FROM {q(groups.db_table)} ug "
        f"JOIN {q(group_perms.db_table)} gp ON gp.{q('group_id')} = ug.{q('group_id')} "
        f"JOIN {q(perm.db_table)} p ON p.id = gp.{q('permission_id')} "
        f"JOIN {q(ct.db_table)} ct ON ct.id = p.{q('content_type_id')} "
        f"WHERE ug.{q('user_id')} = %s"
        ") x ON x.uid = u.id WHERE u.id = %s"
    )


def _user_columns():
    """The user's field names in the statement's order, the converters of their columns
    (dates on SQLite, say) and the compiler that applies them. Read per request (cheap), so
    a test that switches databases gets that database's converters."""
    user = get_user_model()
    fields = user._meta.concrete_fields
    compiler = user.objects.all().query.get_compiler(connection.alias)
    converters = compiler.get_converters([f.get_col(user._meta.db_table) for f in fields])
    return [f.attname for f in fields], converters, compiler


class ModelBackendOneQuery(ModelBackend):
    def get_user(self, user_id):
        """The session's user with their permissions, in one query (see above)."""
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding junk signs no one in
            return None
        with connection.cursor() as cursor:
            cursor.execute(_user_with_permissions_sql(), [pk, pk, pk])
            rows = cursor.fetchall()
        if not rows:
            return None
        # One user object from the first row (Django's converters, as a raw() query applies
        # them), not one for each of the rows the permissions repeat it on.
        fields, converters, compiler = _user_columns()
        (values,) = compiler.apply_converters([rows[0][:-1]], converters)
        user = user_model.from_db(connection.alias, fields, values)
        perms = {row[-1] for row in rows if row[-1]}
        if not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser's checks never reach the backend
            user._perm_cache = perms
        return user

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = perms.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows.distinct()}
        return user_obj._perm_cache
