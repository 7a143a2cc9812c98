"""Form widgets that render less: a long select's options are rendered once and reused.

Django renders every <option> through a template; a country select (~250 options) costs ~10 ms a
page, most of an expert's RSVP page. `MemoizedSelect` renders the options with Django's own
`forms.Select` once per distinct list of choices (country names follow the active language, so
once per language) and keeps that HTML for the process; the <select> element around them is
rendered once per name and attributes. Each page then only marks the selected option. The
output is the plain widget's, byte for byte (tests/core/test_widgets.py); what it does not
handle (option groups, templates of another shape) is rendered the plain way.
"""

import copy
from collections import OrderedDict
from dataclasses import dataclass

from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.html import escape
from django.utils.safestring import SafeString

# A value no option has: the options are rendered with nothing selected.
_UNMATCHED = "\x00nothing-selected\x00"
_CLOSE = "\n</select>"
_SELECTED = " selected"


@dataclass(frozen=True)
class _Options:
    """The options' HTML with nothing selected, and where each option's opening tag ends."""

    html: str
    values: tuple[str, ...]  # each option's value, in order
    tag_ends: tuple[int, ...]  # index in `html` of the ">" that ends the option's opening tag


class _Memo(OrderedDict):
    """A small process-wide memo that forgets the oldest entries beyond `size`."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key, make):
        try:
            return self[key]
        except KeyError:
            pass
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class MemoizedSelect(forms.Select):
    """`forms.Select` whose options are rendered once per list of choices, not on every page."""

    # Keys hold the full list of choices (one entry per language for a country list) and the
    # element's name and attributes; a few dozen entries cover every form of the portal.
    _options_memo = _Memo(size=16)
    _shell_memo = _Memo(size=64)

    def render(self, name, value, attrs=None, renderer=None):
        renderer = renderer or get_default_renderer()
        options = self._options_memo.get_or_make(
            (renderer, self.template_name, self.option_template_name, self._choices_key()),
            lambda: self._render_options(self._choice_texts(), renderer),
        )
        shell = self._memoized_shell(name, attrs, renderer)
        if options is None or shell is None:
            return super().render(name, value, attrs, renderer)
        html = options.html
        wanted = set(self.format_value(value))
        for option_value, end in zip(options.values, options.tag_ends, strict=True):
            if option_value in wanted:  # the first match only, as forms.Select does
                html = html[:end] + _SELECTED + html[end:]
                break
        # Both parts are Django's own rendering, escaped as the plain widget escapes them.
        return SafeString(shell + html + _CLOSE)

    def _choice_texts(self) -> tuple[tuple[str, str], ...]:
        # Labels are often lazy translations: their text in the active language.
        return tuple(
            ("" if value is None else str(value), str(label)) for value, label in self.choices
        )

    def _choices_key(self) -> tuple:
        """What identifies the options: the choices' own `memo_key()` when they have one (a
        country list: its language and settings, without translating ~250 names on every
        page), else the choices' texts."""
        memo_key = getattr(self.choices, "memo_key", None)
        if memo_key is not None:
            return ("memo_key", type(self.choices), memo_key())
        return ("texts", self._choice_texts())

    def _render_options(self, choices, renderer) -> "_Options | None":
        """Django's own rendering of all options, none selected; None if its shape is unknown
        (option groups, whose options the plain widget nests, end up here too)."""
        full = super().render("name", _UNMATCHED, None, renderer)
        opening = self._shell("name", None, renderer)
        if opening is None or not (full.startswith(opening) and full.endswith(_CLOSE)):
            return None
        html = full[len(opening) : -len(_CLOSE)]
        values, tag_ends, position = [], [], 0
        for option_value, _label in choices:
            tag = f'<option value="{escape(option_value)}">'
            found = html.find(tag, position)
            if found < 0:
                return None
            values.append(option_value)
            tag_ends.append(found + len(tag) - 1)
            position = found + len(tag)
        return _Options(html=html, values=tuple(values), tag_ends=tuple(tag_ends))

    def _memoized_shell(self, name, attrs, renderer) -> str | None:
        final_attrs = self.build_attrs(self.attrs, attrs)
        # The type too: a SafeString value is not escaped where an equal str is.
        attrs_key = tuple((k, type(v), v) for k, v in final_attrs.items())
        try:
            key = (renderer, self.template_name, name, attrs_key)
            hash(key)
        except TypeError:  # an attribute value that cannot be a key: no memo
            return self._shell(name, attrs, renderer)
        return self._shell_memo.get_or_make(key, lambda: self._shell(name, attrs, renderer))

    def _shell(self, name, attrs, renderer) -> str | None:
        """The <select> element's opening tag, with this name and attributes (None if the
        template does not end with the expected closing tag)."""
        empty = copy.copy(self)
        empty.choices = ()
        rendered = forms.Select.render(empty, name, None, attrs, renderer)
        return rendered[: -len(_CLOSE)] if rendered.endswith(_CLOSE) else None
