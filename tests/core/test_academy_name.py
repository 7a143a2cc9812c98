from django.utils import translation

from academy_portal.core.academy import academy_name


def test_the_academy_name_follows_the_language(settings):
    settings.ACADEMY_NAME = "Diplomatic Academy"
    settings.ACADEMY_NAME_VI = "Học viện Ngoại giao"
    assert academy_name("vi") == "Học viện Ngoại giao"
    assert academy_name("en") == "Diplomatic Academy"
    with translation.override("vi"):
        assert academy_name() == "Học viện Ngoại giao"
    with translation.override("en"):
        assert academy_name() == "Diplomatic Academy"
