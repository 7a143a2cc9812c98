"""`{{ edition|in_language:"title" }}`: a forum's, edition's or session's text in the active
language, with the English text when there is no Vietnamese one (`VietnameseText.text_in`)."""

from django import template

register = template.Library()


@register.filter
def in_language(obj, field: str) -> str:
    if not obj:  # no session offered, or an unknown name in the template
        return ""
    return obj.text_in(field)
