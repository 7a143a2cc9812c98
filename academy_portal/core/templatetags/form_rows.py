"""`{% field_row %}` and `{% check_row %}`: a form field with its label, hint and errors.

Written in Python rather than as an included template: a page of a dozen fields spent more time
in the includes than in anything else it did. The markup is what every expert-facing form uses:
errors and hints are tied to the input for screen readers (Django adds the input's
`aria-describedby` and `aria-invalid`), a radio or checkbox list is a fieldset with a legend.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


def _errors(field) -> str:
    if not field.errors:
        return ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in field.errors)
    return f'<ul class="errorlist" id="{conditional_escape(field.auto_id)}_error">{items}</ul>'


def _hint(hint) -> str:
    return format_html('<p class="hint">{}</p>', hint) if hint else ""


@register.simple_tag
def field_row(field, hint="", wide=False) -> SafeString:
    """A field: label (or fieldset legend), hint, help text, errors, then the widget."""
    classes = "field" + (" has-error" if field.errors else "") + (" wide" if wide else "")
    if field.use_fieldset:
        opening = format_html("<fieldset><legend>{}</legend>", field.label)
        closing = "</fieldset>"
    else:
        opening = format_html('<label for="{}">{}</label>', field.id_for_label, field.label)
        closing = ""
    help_text = (
        format_html('<p class="hint" id="{}_helptext">{}</p>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    return SafeString(
        f'<div class="{classes}" id="field-{conditional_escape(field.html_name)}">\n'
        f"  {opening}\n  {_hint(hint)}\n  {help_text}\n  {_errors(field)}\n"
        f"  {field}\n  {closing}\n</div>"
    )


@register.simple_tag
def check_row(field, hint="", link_url="", link_text="") -> SafeString:
    """A single checkbox with its label beside it (a large touch target), errors above."""
    classes = "field check" + (" has-error" if field.errors else "")
    link = format_html(' (<a href="{}">{}</a>)', link_url, link_text) if link_url else ""
    return SafeString(
        f'<div class="{classes}" id="field-{conditional_escape(field.html_name)}">\n'
        f"  {_errors(field)}\n"
        + format_html(
            '  <label for="{}">{} <span>{}{}</span></label>\n',
            field.id_for_label,
            field,
            field.label,
            link,
        )
        + f"  {_hint(hint)}\n</div>"
    )
