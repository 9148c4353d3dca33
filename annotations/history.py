"""Readable audit history: django-simple-history records turned into entries for people.

An entry is a dict, newest first::

    {"when": datetime, "who": "editor" or "system", "action": "created" | "changed" |
     "deleted" | "restored", "reason": "…", "history_id": 17,
     "changes": [("Label", "Disputed", "Verified"), …]}

`changes` holds (field name, old display value, new display value); "—" stands for empty.
For a creation they are the values the object started with (the old value is "—"); a
deletion has none (the record holds the last state, shown by the entry before it).

Query counts are constant, whatever the number of records: callers fetch the records once
with `select_related("history_user")` (the `*_records` helpers here do), each record is
diffed against the next older one in that list (never `record.prev_record`, which is a
query per row), and every source id in the diffs is resolved in one query.

For the lead's source page: `source_entries(source)` returns the entries of a Source's own
records, ready for `{% include "annotations/fragments.html#history-list" with entries=… %}`.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps as django_apps
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor

from . import labels
from .models import Annotation, Article, SharedClaim, Source

EMPTY = "—"


class _CachedHistoryDescriptor(HistoryDescriptor):
    """django-simple-history's `Model.history`, with its manager class built once.

    The library builds a new manager class (`Manager.from_queryset`, which walks the
    queryset's members with `inspect`) on every access, and it reads the attribute itself
    for each historical row it writes: about 0.7 ms of every claim save. The class it
    builds is the same each time, so it is built on first use and reused."""

    def __init__(self, original: HistoryDescriptor):
        super().__init__(original.model, original.manager_class, original.queryset_class)

    @functools.cached_property
    def _manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager(self.model, instance)


def cache_history_managers() -> None:
    """Put `_CachedHistoryDescriptor` in place of every model's history descriptor (from
    AppConfig.ready, once the library has attached them)."""
    for model in django_apps.get_models():
        for name, attribute in list(vars(model).items()):
            if type(attribute) is HistoryDescriptor:
                setattr(model, name, _CachedHistoryDescriptor(attribute))


CREATED, CHANGED, DELETED, RESTORED = "created", "changed", "deleted", "restored"
_ACTIONS = {"+": CREATED, "~": CHANGED, "-": DELETED}
# What the history says each action is, in the reader's language (`action_name`).
ACTION_NAMES = {
    CREATED: _("Created"),
    CHANGED: _("Changed"),
    DELETED: _("Deleted"),
    RESTORED: _("Restored"),
}


class _Spec:
    """What to show of one model's history: which fields, in which order."""

    def __init__(
        self,
        *,
        order: Sequence[str],
        skip: Iterable[str],
        skip_on_create: Iterable[str] = (),
        with_quote: Iterable[str] = (),
        position: bool = False,
    ) -> None:
        self.order = list(order)
        self.skip = set(skip)
        self.skip_on_create = set(skip_on_create)
        # Shown only when the quote changed too: the context around it is noise otherwise.
        self.with_quote = set(with_quote)
        # start/end become one "Position 120–150" change.
        self.position = position


_SPECS: dict[type[Model], _Spec] = {
    Annotation: _Spec(
        order=[
            "label",
            "source",
            "credibility",
            "note",
            "public_summary",
            "evidence_url",
            "quote",
            "prefix",
            "suffix",
            "anchor_state",
            "original_quote",
        ],
        # Who and when are the entry's own; the article never changes under a claim.
        skip={"id", "article", "created_by", "updated_by", "created_at", "updated_at"},
        skip_on_create={"quote", "prefix", "suffix", "anchor_state", "original_quote"},
        with_quote={"prefix", "suffix"},
        position=True,
    ),
    Source: _Spec(
        order=[
            "name",
            "kind",
            "reliability",
            "review_status",
            "review_note",
            "url",
            "description",
        ],
        # name_key is derived from the name; the reviewer and time are the entry's own.
        skip={
            "id",
            "name_key",
            "created_by",
            "created_at",
            "updated_at",
            "reviewed_by",
            "reviewed_at",
        },
    ),
}


# --- Fetching records (one query each) -----------------------------------------------------


def _newest_first(qs: QuerySet) -> QuerySet:
    return qs.select_related("history_user").order_by("-history_date", "-history_id")


def claim_records(pk: int) -> list:
    """Every history record of one claim, newest first (deleted claims included)."""
    return list(_newest_first(Annotation.history.filter(id=pk)))


def last_record(pk: int):
    """The newest history record of one claim (a deletion, while it is deleted), or None."""
    return Annotation.history.filter(id=pk).order_by("-history_date", "-history_id").first()


def source_records(source: Source) -> list:
    return list(_newest_first(Source.history.filter(id=source.pk)))


def source_entries(source: Source) -> list[dict[str, Any]]:
    """The readable history of a source's own record (name, kind, grade, review), newest
    first, in two queries. Render it with `fragments.html#history-list` (`entries`)."""
    return entries(source_records(source))


def deleted_claim_records() -> QuerySet:
    """Deletion records of claims that are still deleted, newest first: for each claim only
    its last record, and only when that is a deletion (a claim deleted, restored and deleted
    again is listed once, with its last state)."""
    history = Annotation.history.model
    last = (
        history.objects.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return _newest_first(
        Annotation.history.filter(history_type="-", history_id=Subquery(last)).exclude(
            id__in=Annotation.objects.values("id")
        )
    )


# --- Entries --------------------------------------------------------------------------------


def entries(records: Sequence) -> list[dict[str, Any]]:
    """Readable entries for records of one model, given newest first (see the module doc).

    Pass all the records of the object: the oldest record in the list is taken as its
    creation, and each other record is compared with the one after it.
    """
    records = list(records)
    if not records:
        return []
    spec = _SPECS.get(records[0].instance_type, _Spec(order=[], skip={"id"}))
    raw: list[tuple[Any, list[tuple[str, Any, Any]]]] = []
    for index, record in enumerate(records):
        prev = records[index + 1] if index + 1 < len(records) else None
        raw.append((record, _raw_changes(record, prev, spec)))
    names = _source_names(
        value
        for _, changes in raw
        for field, old, new in changes
        if field == "source"
        for value in (old, new)
    )
    result = []
    for index, (record, changes) in enumerate(raw):
        prev = records[index + 1] if index + 1 < len(records) else None
        model = record.instance_type
        result.append(
            {
                "when": record.history_date,
                "who": who_of(record),
                "action": _action(record, prev),
                "action_name": ACTION_NAMES[_action(record, prev)],
                "reason": record.history_change_reason or "",
                "history_id": record.history_id,
                "changes": [
                    (
                        _field_name(model, field),
                        _display(model, field, old, names),
                        _display(model, field, new, names),
                    )
                    for field, old, new in changes
                ],
            }
        )
    return result


# --- Shared claims ----------------------------------------------------------------------------

LINKED, UNLINKED, MERGED_IN, MOVED_OUT, RETITLED = (
    "linked",
    "unlinked",
    "merged-in",
    "moved-out",
    "retitled",
)


def shared_claim_events(shared_id: int) -> list[dict[str, Any]]:
    """Who linked what to a shared claim, newest first, in three queries whatever their
    number: read from the claims' own history (each link, unlink and merge saved the claim
    with who did it), and from the shared claim's (made, renamed). Each event:
    `{when, who, action, history_id, claim_id, quote, article, other, old, new}`, `action`
    one of CREATED, LINKED, UNLINKED, MERGED_IN (`other`: the shared claim merged into this
    one), MOVED_OUT (`other`: where to), RETITLED (`old`, `new`: the titles), DELETED and
    RESTORED (a claim deleted while it was an appearance, or brought back as one)."""
    ever = Annotation.history.filter(shared_claim_id=shared_id).values("id")
    records = list(
        Annotation.history.filter(id__in=ever)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    events = []
    before: dict[int, Any] = {}  # each claim's previous record
    for record in records:
        prev = before.get(record.id)
        before[record.id] = record
        was = prev.shared_claim_id if prev is not None else None
        now = record.shared_claim_id
        if record.history_type == "-" or (prev is not None and prev.history_type == "-"):
            # The claim deleted while it was an appearance, or restored as one.
            action, other = (DELETED if record.history_type == "-" else RESTORED), None
            if now != shared_id:
                continue
        elif was == now or shared_id not in (was, now):
            continue
        elif now == shared_id:
            action, other = (LINKED, None) if was is None else (MERGED_IN, was)
        else:
            action, other = (UNLINKED, None) if now is None else (MOVED_OUT, now)
        events.append(_event(record, action, claim_id=record.id, quote=record.quote, other=other))
    articles = Article.objects.filter(pk__in={r.article_id for r in records}).only(
        "id", "title", "outlet", "deleted_at"
    )
    by_id = {a.pk: a for a in articles}
    article_of = {r.id: by_id.get(r.article_id) for r in records}
    for event in events:
        event["article"] = article_of.get(event["claim_id"])
    own = list(_newest_first(SharedClaim.history.filter(id=shared_id)))
    for index, record in enumerate(own):
        prev = own[index + 1] if index + 1 < len(own) else None
        if record.history_type == "+":
            events.append(_event(record, CREATED, new=record.title))
        elif prev is not None and record.title != prev.title:
            events.append(_event(record, RETITLED, old=prev.title, new=record.title))
    events.sort(key=lambda e: (e["when"], e["history_id"]), reverse=True)
    return events


def _event(record, action: str, **details) -> dict[str, Any]:
    event = {
        "when": record.history_date,
        "who": who_of(record),
        "action": action,
        "history_id": record.history_id,
        "claim_id": None,
        "quote": "",
        "article": None,
        "other": None,
        "old": "",
        "new": "",
    }
    event.update(details)
    return event


def verdict_timeline(records: Sequence) -> list[dict[str, Any]]:
    """Each point where a claim's label was set (its creation) or changed, oldest first:
    `{label, label_display, who, when}`. Deletions and restores that keep the label add
    nothing."""
    timeline = []
    label = None
    for record in reversed(list(records)):
        if record.history_type == "-" or record.label == label:
            continue
        label = record.label
        timeline.append(
            {
                "label": label,
                "label_display": labels.display(label),
                "who": who_of(record),
                "when": record.history_date,
            }
        )
    return timeline


def who_of(record) -> str:
    user = record.history_user
    return user.get_username() if user is not None else gettext("system")


def _action(record, prev) -> str:
    if record.history_type == "+" and prev is not None and prev.history_type == "-":
        return RESTORED
    return _ACTIONS.get(record.history_type, CHANGED)


def _raw_changes(record, prev, spec: _Spec) -> list[tuple[str, Any, Any]]:
    """(field name, old value, new value), raw, in the spec's order."""
    if record.history_type == "-":
        return []
    model = record.instance_type
    tracked = [f.name for f in record.tracked_fields if f.editable and f.name not in spec.skip]
    if prev is None:
        changes = [
            (name, None, getattr(record, model._meta.get_field(name).attname))
            for name in tracked
            if name not in spec.skip_on_create and not (spec.position and name in ("start", "end"))
        ]
        changes = [c for c in changes if c[2] not in (None, "")]
    else:
        delta = record.diff_against(prev, included_fields=tracked)
        changed = {c.field: (c.old, c.new) for c in delta.changes}
        if "quote" not in changed:
            for name in spec.with_quote:
                changed.pop(name, None)
        if spec.position and ("start" in changed or "end" in changed):
            changed.pop("start", None)
            changed.pop("end", None)
            changed["position"] = (f"{prev.start}–{prev.end}", f"{record.start}–{record.end}")
        changes = [(name, old, new) for name, (old, new) in changed.items()]
    order = {name: i for i, name in enumerate([*spec.order, "position"])}
    fields = [f.name for f in model._meta.fields]
    return sorted(
        changes,
        key=lambda c: (order.get(c[0], len(order)), fields.index(c[0]) if c[0] in fields else 0),
    )


def _field_name(model: type[Model], field: str) -> str:
    if field == "position":
        return gettext("Position")
    name = str(model._meta.get_field(field).verbose_name)  # annotations/verbose.py
    return name[:1].upper() + name[1:]


def _display(model: type[Model], field: str, value: Any, source_names: dict[int, str]) -> str:
    if value is None or value == "":
        return EMPTY
    if field == "position":
        return value
    if model is Annotation and field == "source":
        return source_names.get(value, gettext("source #%(id)s") % {"id": value})
    model_field = model._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def _source_names(ids: Iterable[Any]) -> dict[int, str]:
    """Names for source ids in one query; a second one only for sources since deleted
    (merged away), named by their last historical record."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    names = dict(Source.objects.filter(pk__in=wanted).values_list("id", "name"))
    gone = wanted - names.keys()
    if gone:
        for pk, name in (
            Source.history.filter(id__in=gone)
            .order_by("history_date", "history_id")
            .values_list("id", "name")
        ):
            names[pk] = f"{name} (deleted)"
    return names
