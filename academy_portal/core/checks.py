from django.conf import settings
from django.contrib import admin
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development default.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="portal.E001",
            )
        ]
    return []


# The fields an admin action posts besides one per ticked row (CSRF token, action, index,
# select_across), with room to spare.
ACTION_FORM_FIELDS = 50


@register(Tags.admin)
def check_ticking_a_whole_list_fits_in_one_request(app_configs, **kwargs):
    """Every row an admin list can show must be tickable without Django answering 400."""

    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None:
        return []
    errors = []
    for model, model_admin in admin.site._registry.items():
        rows = max(model_admin.list_max_show_all, model_admin.list_per_page)
        if rows + ACTION_FORM_FIELDS > limit:
            errors.append(
                Error(
                    f"{model._meta.label}: {rows} rows can be ticked, but a request may hold "
                    f"only {limit} fields.",
                    hint="Raise DATA_UPLOAD_MAX_NUMBER_FIELDS or lower list_max_show_all.",
                    obj=model_admin,
                    id="portal.E002",
                )
            )
    return errors
