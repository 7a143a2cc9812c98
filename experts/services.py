"""Writes on experts and their sign-in accounts.

An expert's account is the Django user whose email is the expert's email (both lower-cased and
unique case-insensitively). Accounts exist only for experts: `ensure_expert_user` is the only
place that creates one, and only for an email on file.
"""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.crypto import get_random_string

from academy_portal.core.text import normalize_text

from .models import Expert, ExpertiseArea, Language


def find_expert_by_email(email: str) -> Expert | None:
    """The expert with this email (case-insensitive), or None."""
    email = (email or "").strip()
    if not email:
        return None
    return Expert.objects.filter(email__iexact=email).first()


def expert_for_user(user) -> Expert | None:
    """The expert a signed-in user is: by an email address the user has proven to own."""
    if not getattr(user, "is_authenticated", False):
        return None
    # Only verified addresses count (signing in by emailed code verifies one), so adding
    # somebody else's address on the account page does not make you that expert.
    verified = (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(email_lower=Lower("email"))
        .values("email_lower")
    )
    return Expert.objects.filter(email__in=verified).first()


def _unique_username(email: str) -> str:
    User = get_user_model()
    base = email.split("@", 1)[0][:100] or "expert"
    username = base
    while User.objects.filter(username__iexact=username).exists():
        username = f"{base}-{get_random_string(6).lower()}"
    return username


@transaction.atomic
def ensure_expert_user(*, email: str):
    """The sign-in account for an expert's email, created on first use; None if no such expert.

    Locks the expert row so two simultaneous code requests create one account, not two.
    """
    expert = Expert.objects.select_for_update().filter(email__iexact=(email or "").strip()).first()
    if expert is None:
        return None
    users = filter_users_by_email(expert.email, is_active=True)
    if users:
        return users[0]
    User = get_user_model()
    if User.objects.filter(email__iexact=expert.email, is_active=False).exists():
        # A deactivated account stays deactivated: staff decided that, not the expert.
        return None
    try:
        with transaction.atomic():
            user = User(
                username=_unique_username(expert.email),
                email=expert.email,
                first_name=expert.given_name[:150],
                last_name=expert.family_name[:150],
                is_staff=False,
            )
            # Experts sign in by emailed code only.
            user.set_unusable_password()
            user.save()
    except IntegrityError:
        # Username race with another request: that request created the account.
        return filter_users_by_email(expert.email, is_active=True)[0]
    EmailAddress.objects.update_or_create(
        email__iexact=expert.email,
        # Verified only once the emailed code is entered (allauth does that on sign-in).
        defaults={"user": user, "email": expert.email, "verified": False, "primary": True},
    )
    return user


@transaction.atomic
def update_expert_profile(
    expert: Expert,
    *,
    position: str,
    affiliation_text: str,
    expertise_areas: Iterable[ExpertiseArea],
    bio: str,
    preferred_language: str,
) -> Expert:
    """Save what an expert may change about themselves; names, email and staff notes stay put."""
    if preferred_language not in Language.values:
        raise ValueError(f"Unknown language {preferred_language!r}")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    expert.position = normalize_text(position)
    expert.affiliation_text = normalize_text(affiliation_text)
    expert.bio = (bio or "").strip()
    expert.preferred_language = preferred_language
    expert.save(
        update_fields=[
            "position",
            "affiliation_text",
            "bio",
            "preferred_language",
            "given_name",
            "family_name",
            "email",
            "search_text",
            "updated_at",
        ]
    )
    expert.expertise_areas.set(list(expertise_areas))
    return expert
