"""Staff roles as Django groups: what a viewer may see, what a coordinator may do.

Each role is a rule over permissions (app label + action), not a frozen list, so a model added
later is picked up by `sync_roles` on the next migrate.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

PORTAL_APPS = ("forums", "experts", "partners", "mail", "core")
ALL_ACTIONS = ("view", "add", "change", "delete")

ADMINISTRATORS = "Portal administrators"
FORUM_COORDINATORS = "Forum coordinators"
PARTNERSHIPS_OFFICERS = "Partnerships officers"
VIEWERS = "Viewers"
REGISTRATION_DESK = "Registration desk"

# role -> {app_label: actions}; "*" means every permission of the app, custom ones included.
ROLE_RULES: dict[str, dict[str, tuple[str, ...] | str]] = {
    ADMINISTRATORS: {
        **dict.fromkeys(PORTAL_APPS, "*"),
        "auth": "*",
        "account": "*",
        "sites": ("view",),
    },
    FORUM_COORDINATORS: {
        "forums": "*",
        "experts": "*",
        "mail": ("view", "change"),
        # Delegation requests (partners.DelegationRequest: custom "send_delegationrequest").
        "partners": ("view", "send"),
    },
    PARTNERSHIPS_OFFICERS: {
        "partners": "*",
        "mail": ("view",),
        "experts": ("view",),
        "forums": ("view",),
    },
    VIEWERS: dict.fromkeys(PORTAL_APPS, ("view",)),
    # Staff (or temporary helpers) at the edition's entrance: they check participants in
    # (forums.check_in_participant) and see nothing else.
    REGISTRATION_DESK: {"forums": ("check_in",)},
}


def role_permission_filter(rules: dict[str, tuple[str, ...] | str]) -> Q:
    condition = Q(pk__in=[])
    for app_label, actions in rules.items():
        if actions == "*":
            condition |= Q(content_type__app_label=app_label)
        else:
            for action in actions:
                condition |= Q(content_type__app_label=app_label, codename__startswith=f"{action}_")
    return condition


def sync_roles(*, group_model, permission_model) -> None:
    """Every role group exists and holds exactly the permissions its rule grants."""
    for name, rules in ROLE_RULES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(permission_model.objects.filter(role_permission_filter(rules)))


def sync_roles_after_migrate(sender, apps=None, using="default", **kwargs):
    # Run once per migrate, after the last app has created its permissions.
    if sender.label != "core":
        return

    # `flush` (after every transactional test, or run by hand) sends post_migrate without `apps`;
    # returning then left the database with no role groups at all.
    apps = apps or global_apps
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(group_model=group_model, permission_model=permission_model)
