"""JSON bodies and query strings checked by the web's own forms and filter sets, so that the
API refuses what the pages refuse, in the same words (one validator for every door).

`bind(FormClass, data)` type-checks each JSON member against the form field it goes to (a
number where a number is meant, text where text is, never a list or an object), refuses
members the form does not know, and returns the bound, valid form, or raises a 422 problem.
`form_serializer(FormClass)` describes the same fields for the OpenAPI schema.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .problems import NON_FIELD, Problem, form_problem, invalid


def _kind(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.IntegerField | forms.ModelChoiceField):
        return "integer"
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return "integer"
    return "string"


BOOLEANS = ("true", "false")  # a yes/no filter in a query string, as OpenAPI writes it

_KIND_ERRORS = {  # lazy: read in the language of each request
    "boolean": gettext_lazy("Send true or false."),
    "integer": gettext_lazy("Send a whole number."),
    "string": gettext_lazy("Send text (a JSON string)."),
}


def bind(form_class: type[forms.Form], data, *, partial_from: dict | None = None, **kwargs):
    """The valid form bound to `data` (a JSON object), or a 4xx problem. `partial_from`: the
    values a PATCH leaves as they are (those not in `data`)."""
    if not isinstance(data, dict):
        raise Problem(400, "malformed", _("Send a JSON object."))
    form = form_class(**kwargs)
    unknown = sorted(str(name) for name in data if name not in form.fields)
    if unknown:
        raise invalid({name: [_("This field is not known here.")] for name in unknown})
    values: dict[str, object] = dict(partial_from or {})
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        kind = _kind(form.fields[name])
        if value is None:
            values[name] = ""
        elif kind == "boolean" and isinstance(value, bool):
            values[name] = "on" if value else ""
        elif kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            values[name] = str(value)
        elif kind == "string" and isinstance(value, str):
            values[name] = value
        else:
            errors[name] = [str(_KIND_ERRORS[kind])]
    if errors:
        raise invalid(errors, status_code=400)
    bound = form_class(data=values, **kwargs)
    if not bound.is_valid():
        raise form_problem(bound)
    return bound


def check_filters(filterset) -> None:
    """A filter set that cannot be read is refused (never "everything"): each filter sent
    once, a yes/no filter as true or false (the page's checkbox takes any value as "on"),
    and every value as the filter set reads it."""
    import django_filters as df

    errors: dict[str, list[str]] = {}
    for name, item in filterset.filters.items():
        values = filterset.data.getlist(name)
        if len(values) > 1:
            errors[name] = [_("Send this filter once.")]
        elif values and isinstance(item, df.BooleanFilter) and values[0] not in (*BOOLEANS, ""):
            errors[name] = [str(_KIND_ERRORS["boolean"])]
    if errors:
        raise invalid(errors, status_code=400)
    if not filterset.is_valid():
        problem = form_problem(filterset.form)
        problem.status_code = 400
        raise problem


# --- The same fields, described for the schema ----------------------------------------------


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]}
)
class DateTimeOrEmpty(serializers.DateTimeField):
    """A date and time (ISO 8601), or "" (or null) for none, as an optional form field
    takes it."""


def _schema_field(field: forms.Field, *, required: bool) -> serializers.Field:
    """`required`: the member must be sent. It may be null or "" only where the form field
    may be left empty (a PATCH may leave out a title, not send an empty one)."""
    empty = not field.required
    common = {"required": required, "help_text": str(field.help_text or field.label or "")}
    if empty:
        common["allow_null"] = True
    kind = _kind(field)
    if kind == "boolean":
        return serializers.BooleanField(**common)
    if kind == "integer":
        limits = {}
        if isinstance(field, forms.IntegerField):
            limits = {"min_value": field.min_value, "max_value": field.max_value}
        if isinstance(field, forms.TypedChoiceField):
            return serializers.ChoiceField(
                choices=[(c, label) for c, label in field.choices if c != ""], **common
            )
        return serializers.IntegerField(
            **{k: v for k, v in limits.items() if v is not None}, **common
        )
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(
            choices=[(c, label) for c, label in field.choices if c != ""],
            allow_blank=empty,
            **common,
        )
    if isinstance(field, forms.DateTimeField):
        return (DateTimeOrEmpty if empty else serializers.DateTimeField)(**common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(max_length=field.max_length, allow_blank=empty, **common)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(
        max_length=max_length, allow_blank=empty, trim_whitespace=False, **common
    )


class FormFields(serializers.Serializer):
    """The base of `form_serializer`'s serializers: a body with only the form's fields."""


class FormFieldsScheme(OpenApiSerializerExtension):
    """`bind` refuses members the form does not know: the schema says so."""

    target_class = FormFields
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


def form_serializer(
    form_class: type[forms.Form],
    name: str,
    *,
    optional: bool = False,
    exclude: tuple[str, ...] = (),
    **form_kwargs,
) -> type[serializers.Serializer]:
    """A serializer with the form's fields, for drf-spectacular only (the form checks the
    data). `optional`: every field may be left out (a PATCH). `exclude`: fields the form
    has that the API takes elsewhere (a version in If-Match)."""
    form = form_class(**form_kwargs)
    fields = {
        field_name: _schema_field(field, required=field.required and not optional)
        for field_name, field in form.fields.items()
        if field_name not in exclude
    }
    return type(name, (FormFields,), fields)


__all__ = ["NON_FIELD", "bind", "check_filters", "form_serializer"]


_EMPTY = {"type": "string", "maxLength": 0}


def _filter_schema(item) -> dict:
    """A filter's values for the schema: its type, or "" (left empty: not applied, as the
    pages' forms send it)."""
    import django_filters as df

    if isinstance(item, df.NumberFilter | df.ModelChoiceFilter):
        number = {"type": "integer"}
        limits = {"minimum": item.extra.get("min_value"), "maximum": item.extra.get("max_value")}
        number.update({k: v for k, v in limits.items() if v is not None})
        return {"oneOf": [number, _EMPTY]}
    if isinstance(item, df.BooleanFilter):
        return {"type": "string", "enum": [*BOOLEANS, ""]}
    if isinstance(item, df.DateFilter):
        return {"oneOf": [{"type": "string", "format": "date"}, _EMPTY]}
    if isinstance(item, df.ChoiceFilter):
        choices = item.extra.get("choices")
        if choices is not None and not callable(choices):
            return {"type": "string", "enum": [*(str(value) for value, _label in choices), ""]}
    text = {"type": "string"}
    if item.extra.get("max_length"):
        text["maxLength"] = item.extra["max_length"]
    return text


def filter_parameters(filterset_class) -> list:
    """The filter set's filters as query parameters of the schema (the filter set checks
    them: a value it cannot read is a 400 problem)."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            name,
            _filter_schema(item),
            OpenApiParameter.QUERY,
            description=str(item.label or name),
        )
        for name, item in filterset_class.base_filters.items()
    ]
