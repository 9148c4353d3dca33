from django import template

register = template.Library()


@register.filter
def all_errors(form) -> str:
    """Every error of a form as readable sentences, hidden fields included."""
    from ..views.common import form_errors

    return form_errors(form)
