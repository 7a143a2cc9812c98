"""For the experts' /me/ page, which may not import forums: the expert's pending erasure request."""

from django import template

from forums.services.privacy import pending_erasure_request

register = template.Library()


@register.simple_tag
def erasure_request_pending(expert):
    """The expert's pending erasure request, or None."""
    return pending_erasure_request(expert)
