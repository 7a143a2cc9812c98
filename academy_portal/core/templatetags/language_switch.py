"""`{% language_switch %}`: the one language switch, one link-like control per language, on every
page of the portal's own layout (expert pages, sign-in).

Token pages (`language_links` in the context) use plain `?lang=` links: their no-referrer policy
makes browsers fail the CSRF check of a form post. Every other page posts to Django's
`set_language` with one button per language, and the page's path as `next`.

Written in Python rather than as an included template: it is on every page, and as an include it
was a third of the sign-in page's rendering. The controls of each language are built once per
process (they depend on the language alone); a request adds only its CSRF token and path.
"""

from functools import cache

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

# Each language's name in itself, whatever the page's language.
NATIVE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def _native_name(code: str) -> str:
    return NATIVE_NAMES.get(code, code)


@cache
def _controls(current: str, links: bool, codes: tuple[str, ...]) -> SafeString:
    """The nav's opening and its controls, for one current language and kind (pure: cached)."""
    with translation.override(current):
        label = gettext("Language")
    items = []
    for code in codes:
        name = _native_name(code)
        if code == current:
            items.append(
                format_html(
                    '<span class="current" lang="{}" aria-current="true">{}</span>', code, name
                )
            )
        elif links:
            items.append(
                format_html(
                    '<a href="?lang={}" lang="{}" hreflang="{}">{}</a>', code, code, code, name
                )
            )
        else:
            items.append(
                format_html(
                    '<button type="submit" name="language" value="{}" lang="{}">{}</button>',
                    code,
                    code,
                    name,
                )
            )
    return SafeString(
        format_html('<nav class="language-links" aria-label="{}">', label)
        + "\n  "
        + "\n  ".join(items)
    )


@register.simple_tag(takes_context=True)
def language_switch(context) -> SafeString:
    current = translation.get_language() or settings.LANGUAGE_CODE
    links = bool(context.get("language_links"))
    controls = _controls(current, links, tuple(code for code, _name in settings.LANGUAGES))
    if links:
        return SafeString(f"{controls}\n</nav>")
    token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"
        else ""
    )
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    form = format_html(
        '<form class="language-links-form" action="{}" method="post">{}'
        '<input name="next" type="hidden" value="{}">',
        reverse("set_language"),
        csrf,
        path,
    )
    opening, _, items = controls.partition("\n  ")
    return SafeString(f"{opening}\n  {form}\n  {items}\n  </form>\n</nav>")
