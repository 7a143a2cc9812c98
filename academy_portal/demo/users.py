"""Demo step: the staff superuser and one staff user per role."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from academy_portal.core import roles

from .context import DemoContext

# --- Staff accounts ---------------------------------------------------------------------------

DEMO_USERS = [
    # username, role group (None: superuser), first name, last name
    ("admin", None, "Portal", "Administrator"),
    ("viewer", roles.VIEWERS, "Mai", "Viewer"),
    ("coordinator", roles.FORUM_COORDINATORS, "Hải", "Coordinator"),
    ("partnerships", roles.PARTNERSHIPS_OFFICERS, "Lan", "Partnerships"),
    ("desk", roles.REGISTRATION_DESK, "Minh", "Desk"),
]


def build_users(ctx: DemoContext) -> None:
    """A superuser and one staff user per role; a password changed since is never reset."""
    roles.sync_roles(group_model=Group, permission_model=Permission)
    user_model = get_user_model()
    encoded = None
    still_demo: dict[str, bool] = {}  # encoded hash -> matches the demo password
    for username, group_name, first_name, last_name in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        created = user is None
        if created:
            # One hash for all four: hashing is deliberately slow and this is demo data.
            encoded = encoded or make_password(ctx.password)
            user = user_model(
                username=username,
                email=f"{username}@academy.example",
                first_name=first_name,
                last_name=last_name,
                password=encoded,
            )
        flags = {"is_staff": True, "is_active": True, "is_superuser": group_name is None}
        if created or any(getattr(user, k) != v for k, v in flags.items()):
            for name, value in flags.items():
                setattr(user, name, value)
            user.save()
            ctx.changes[f"auth.User {'created' if created else 'updated'}"] += 1
        if group_name and not user.groups.filter(name=group_name).exists():
            user.groups.add(Group.objects.get(name=group_name))
        if user.password not in still_demo:
            still_demo[user.password] = user.check_password(ctx.password)
        ctx.users.append(
            {
                "username": username,
                "role": group_name or "superuser",
                "password": ctx.password if still_demo[user.password] else None,
            }
        )
    ctx.notes.append(_second_factor_note())


def _second_factor_note() -> str:
    """How the demo's staff sign in: printed under the logins so nobody is surprised."""
    if settings.STAFF_MFA_REQUIRED:
        return (
            "  Second factor: required (STAFF_MFA_REQUIRED=1). At their first sign-in each staff\n"
            "  user sets up an authenticator app (scan the QR code) and keeps recovery codes."
        )
    return (
        "  Second factor: OFF for this demo (STAFF_MFA_REQUIRED=0): the password is enough.\n"
        "  Production requires an authenticator app; try it with STAFF_MFA_REQUIRED=1 make run."
    )


# --- Expertise areas, partners, MOUs --------------------------------------------------------
