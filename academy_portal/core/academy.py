"""The academy's name in the language of the letter or page."""

from django.conf import settings
from django.utils.translation import get_language


def academy_name(language: str | None = None) -> str:
    """ACADEMY_NAME_VI in Vietnamese (the active language unless given), ACADEMY_NAME otherwise."""
    language = (language or get_language() or "").split("-")[0]
    return settings.ACADEMY_NAME_VI if language == "vi" else settings.ACADEMY_NAME
