"""The form renderer: Django's own, with its commonest widget templates done in Python.

Django renders every widget through templates, and a radio or checkbox list through one
template per option: an expert's RSVP page spent most of its time there (about 100 template
includes a page). `FastRenderer` writes the same HTML directly for the templates below, which
hold no logic beyond escaping, and hands any other template (the admin's widgets, a select's
options, anything overridden) to Django's renderer unchanged. The output is Django's, byte for
byte, for every widget class using these templates (tests/core/test_renderers.py compares the
two over many values and attributes); if Django ships different templates, that test says so.
"""

from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """`{{ value }}` under autoescaping (django.template.base.render_value_in_context)."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}` under autoescaping: a safe value stays as it is."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (the filter's own formatting, not str.format)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """attrs.html: True is a bare attribute, False is left out, the rest `name="value"`."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    """input.html (and text, date, email, number, hidden, checkbox ... which include it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_string(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" '
        f'name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    text = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _input_option(option: dict) -> str:
    """input_option.html: the input, inside its label when `wrap_label`. Included templates
    keep their file's final newline (only the outermost output is stripped), hence the "\\n"s."""
    if not option.get("wrap_label"):
        return f"{_input(option)}\n\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_text(option_id)}"' if option_id else ""
    return f"<label{label_for}>{_input(option)}\n {_text(option['label'])}</label>\n"


# Option template -> what it adds around input_option.html (radio_option.html includes it).
_OPTION_TEMPLATES = {
    _WIDGETS + "radio_option.html": "\n",
    _WIDGETS + "checkbox_option.html": "\n",
    _WIDGETS + "input_option.html": "",
}


def _multiple_input(widget: dict) -> str | None:
    """multiple_input.html (radio.html, checkbox_select.html); None for an unknown option
    template, which Django then renders."""
    attrs = widget["attrs"]
    widget_id, css_class = attrs.get("id"), attrs.get("class")
    parts = ["<div"]
    if widget_id:
        parts.append(f' id="{_text(widget_id)}"')
    if css_class:
        parts.append(f' class="{_text(css_class)}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            around = _OPTION_TEMPLATES.get(option["template_name"])
            if around is None:
                return None
            parts.append(f"<div>\n    {_input_option(option)}{around}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


_INPUT_TEMPLATES = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
    "search",
    "tel",
    "color",
)
FAST_TEMPLATES: dict[str, Callable[[dict], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUT_TEMPLATES},
    _WIDGETS + "textarea.html": _textarea,
    _WIDGETS + "radio.html": _multiple_input,
    _WIDGETS + "checkbox_select.html": _multiple_input,
    _WIDGETS + "multiple_input.html": _multiple_input,
}


class FastRenderer(DjangoTemplates):
    """Django's default form renderer; the widget templates in FAST_TEMPLATES in Python."""

    def render(self, template_name, context, request=None):
        fast = FAST_TEMPLATES.get(template_name)
        widget = context.get("widget") if fast is not None else None
        if widget is not None:
            html = fast(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)
