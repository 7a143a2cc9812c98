"""{% field_row %} and {% check_row %}: the label, hint, help text and errors of a field, tied
to its input for screen readers, escaped."""

from django import forms
from django.template import Context, Template


class Sample(forms.Form):
    name = forms.CharField(label="Name <b>", help_text="As on your passport & visa")
    answer = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    consent = forms.BooleanField(label="I agree")


def render(source: str, form, **context) -> str:
    return Template("{% load form_rows %}" + source).render(Context({"form": form, **context}))


def test_a_field_has_its_label_hint_help_text_and_widget():
    html = render("{% field_row form.name hint=hint wide=True %}", Sample(), hint="Write it <here>")
    assert '<div class="field wide" id="field-name">' in html
    assert '<label for="id_name">Name &lt;b&gt;</label>' in html
    assert '<p class="hint">Write it &lt;here&gt;</p>' in html
    assert '<p class="hint" id="id_name_helptext">As on your passport &amp; visa</p>' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert "errorlist" not in html


def test_errors_are_listed_and_tied_to_the_input():
    form = Sample(data={"name": "", "answer": "maybe"})
    form.is_valid()
    html = render("{% field_row form.name %}{% field_row form.answer %}", form)
    assert '<div class="field has-error" id="field-name">' in html
    assert '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>' in html
    assert 'aria-invalid="true"' in html
    assert "id_name_error" in html.split("<input", 1)[1]  # the input points at its errors
    # A radio list is a fieldset with a legend, not a label for one input.
    assert "<fieldset><legend>Answer</legend>" in html and "</fieldset>" in html
    assert "Select a valid choice" in html


def test_a_checkbox_has_its_label_beside_it_and_an_optional_link():
    html = render(
        '{% check_row form.consent link_url="/privacy/" link_text="the notice" %}', Sample()
    )
    assert '<div class="field check" id="field-consent">' in html
    assert '<label for="id_consent"><input type="checkbox" name="consent"' in html
    assert '<span>I agree (<a href="/privacy/">the notice</a>)</span></label>' in html
