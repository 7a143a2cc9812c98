"""FastRenderer writes what Django's own renderer writes, byte for byte: every widget whose
templates it does in Python, with awkward values and attributes, in both languages; the rest
falls through to the templates. The RSVP form, as a whole, renders the same both ways."""

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget, FilteredSelectMultiple
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from academy_portal.core.renderers import FAST_TEMPLATES, FastRenderer
from forums.forms import RSVPForm
from tests.factories import SessionFactory
from tests.forums.invitation_factories import InvitationFactory

FAST, PLAIN = FastRenderer(), DjangoTemplates()

ATTRS = [
    None,
    {"id": "id_x"},
    {
        "id": "id_x",
        "class": 'wide "quoted" <b>',
        "required": True,
        "disabled": False,
        "data-n": 3,
        "aria-describedby": "id_x_helptext id_x_error",
        "placeholder": _("Your name"),
        "data-safe": mark_safe("<i>"),
        "data-tuple": (1, 2),
    },
]

CHOICES = [
    ("a", "Alpha"),
    ("b", _("Yes")),
    (3, "<script>x</script>"),
    ("s", mark_safe("<em>safe</em>")),
    (dt.date(2027, 1, 17), dt.date(2027, 1, 17)),
    (4500, 4500),
]
GROUPED = [("Group <1>", [("a", "Alpha"), ("b", "Beta")]), ("c", "Gamma"), (_("Yes"), [(1, 1)])]

INPUTS = [
    forms.TextInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.CheckboxInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.Textarea(attrs={"rows": 3}),
]
INPUT_VALUES = [
    None,
    "",
    "plain",
    'a "quote" & <tag>',
    mark_safe("<b>safe</b>"),
    0,
    12345.5,
    True,
    False,
    dt.date(2027, 1, 17),
    dt.datetime(2027, 1, 17, 9, 30, tzinfo=dt.UTC),
    _("Yes"),
    (1, 2),
]
MULTIPLE = [forms.RadioSelect, forms.CheckboxSelectMultiple]
MULTIPLE_VALUES = [None, "", "a", ["a", "s"], 3, ["3", "4500"], "2027-01-17", "zzz"]


def both(widget, name, value, attrs):
    plain = widget.render(name, value, attrs, renderer=PLAIN)
    return widget.render(name, value, attrs, renderer=FAST), plain


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", INPUT_VALUES, ids=repr)
@pytest.mark.parametrize("widget", INPUTS, ids=lambda w: type(w).__name__)
def test_inputs_and_textareas_render_as_django_renders_them(widget, value, attrs, language):
    with translation.override(language):
        fast, plain = both(widget, 'n"<', value, attrs)
    assert fast == plain


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", MULTIPLE_VALUES, ids=repr)
@pytest.mark.parametrize("choices", [CHOICES, GROUPED, []], ids=["flat", "groups", "none"])
@pytest.mark.parametrize("widget_class", MULTIPLE, ids=lambda c: c.__name__)
def test_radio_and_checkbox_lists_render_as_django_renders_them(
    widget_class, choices, value, attrs, language
):
    widget = widget_class(choices=choices)
    with translation.override(language):
        fast, plain = both(widget, "answer", value, attrs)
    assert fast == plain


def test_every_template_done_in_python_exists_in_django_and_is_exercised():
    # A template Django no longer ships (or renamed) would make a fast path dead code.
    exercised = {w.template_name for w in INPUTS} | {c.template_name for c in MULTIPLE}
    exercised |= {"django/forms/widgets/input.html", "django/forms/widgets/multiple_input.html"}
    for name in FAST_TEMPLATES:
        PLAIN.get_template(name)  # raises if missing
    assert set(FAST_TEMPLATES) - exercised == set()


def test_an_option_template_of_another_shape_is_left_to_django():
    class Custom(forms.RadioSelect):
        option_template_name = "django/forms/widgets/select_option.html"

    widget = Custom(choices=[("a", "Alpha")])
    fast, plain = both(widget, "x", "a", None)
    assert fast == plain
    assert "<option" in fast


def test_widgets_it_does_not_know_are_rendered_by_the_templates():
    for widget in [
        AdminDateWidget(),
        FilteredSelectMultiple("experts", is_stacked=False, choices=CHOICES),
        forms.Select(choices=CHOICES),
        forms.ClearableFileInput(),
        forms.SplitDateTimeWidget(),
    ]:
        fast, plain = both(widget, "w", None, {"id": "id_w"})
        assert fast == plain


def test_the_portal_renders_forms_with_it():
    assert settings.FORM_RENDERER == "academy_portal.core.renderers.FastRenderer"
    assert isinstance(get_default_renderer(), FastRenderer)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_rsvp_form_renders_the_same_both_ways(language):
    invitation = InvitationFactory(
        edition__format="hybrid", edition__default_attribution="chatham_house"
    )
    SessionFactory.create_batch(3, edition=invitation.edition)
    data = {"answer": "accepted", "version": "1", "arrival_date": "not a date", "sessions": ["x"]}
    with translation.override(language):
        for kwargs in [{"initial": RSVPForm.initial_for(invitation)}, {"data": data}]:
            html = {}
            for renderer in (FAST, PLAIN):
                form = RSVPForm(invitation=invitation, renderer=renderer, **kwargs)
                form.is_valid()
                html[renderer] = "".join(str(bound) for bound in form)
            assert html[FAST] == html[PLAIN]
            assert 'type="radio"' in html[FAST] and 'type="checkbox"' in html[FAST]


def test_options_outside_their_label_render_as_django_renders_them():
    class Unwrapped(forms.CheckboxSelectMultiple):
        def create_option(self, *args, **kwargs):
            return {**super().create_option(*args, **kwargs), "wrap_label": False}

    fast, plain = both(Unwrapped(choices=CHOICES), "u", ["a"], {"id": "id_u"})
    assert fast == plain
    assert "<label" not in fast
