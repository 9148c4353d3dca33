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


class ModelBackendOneQuery(ModelBackend):
    def get_user(self, user_id):
        """The session's user with their permissions, in one query (see above)."""
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding junk signs no one in
            return None
        rows = list(user_model.objects.raw(_user_with_permissions_sql(), [pk, pk, pk]))
        if not rows:
            return None
        user = rows[0]
        perms = {row.perm for row in rows if row.perm}
        del user.perm  # the join's column, not a field
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
