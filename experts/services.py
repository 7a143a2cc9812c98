"""Writes on experts and their sign-in accounts.

An expert's account is the Django user whose email is the expert's email (both lower-cased and
unique case-insensitively). Accounts exist only for experts: `ensure_expert_user` is the only
place that creates one, and only for an email on file.
"""

import logging
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils.crypto import get_random_string

from academy_portal.core.text import normalize_text

from .models import Expert, ExpertiseArea, Language

logger = logging.getLogger(__name__)


def find_expert_by_email(email: str) -> Expert | None:
    """The expert with this email (case-insensitive), or None."""
    email = (email or "").strip()
    if not email:
        return None
    return Expert.objects.filter(email__iexact=email).first()


def expert_for_user(user) -> Expert | None:
    """The expert a signed-in user is: by the account's own verified primary address only.

    The account's own address is `user.email`; it counts once proven (signing in by emailed
    code verifies it). Other addresses on the account never make it an expert, so an address
    attached by whatever means does not open somebody else's invitations.
    """
    if not getattr(user, "is_authenticated", False) or not user.email:
        return None
    # One query: the expert row, only if the account's own address is verified and primary.
    owns_address = EmailAddress.objects.filter(
        user=user, email__iexact=user.email, verified=True, primary=True
    )
    # With the affiliation: the expert's pages show its name (one join, not a second query).
    experts = Expert.objects.select_related("affiliation")
    return experts.filter(Exists(owns_address), email__iexact=user.email).first()


def _unique_username(email: str) -> str:
    User = get_user_model()
    base = email.split("@", 1)[0][:100] or "expert"
    username = base
    while User.objects.filter(username__iexact=username).exists():
        username = f"{base}-{get_random_string(6).lower()}"
    return username


def _claim_address(*, user, email: str) -> None:
    """Make `email` the user's primary address and nobody else's.

    The expert record is the academy's truth about who owns an address: a copy of it left on
    another account (e.g. added there before email management was closed) is removed.
    """
    EmailAddress.objects.filter(email__iexact=email).exclude(user=user).delete()
    EmailAddress.objects.filter(user=user, primary=True).exclude(email__iexact=email).update(
        primary=False
    )
    own = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if own is None:
        # Verified only once the emailed code is entered (allauth does that on sign-in).
        EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    elif not own.primary:
        own.primary = True
        own.save(update_fields=["primary"])


@transaction.atomic
def ensure_expert_user(*, email: str):
    """The sign-in account of the expert with this email, created on first use, or None.

    The account is the one whose own address (`User.email`) is the expert's; addresses attached
    to other accounts are ignored (and removed). None when there is no such expert, when the
    owning account is deactivated (staff decided that), when it is a staff or superuser account
    (staff never sign in by emailed code) or when several accounts claim the address.
    Locks the expert row so two simultaneous code requests create one account, not two.
    """
    expert = Expert.objects.select_for_update().filter(email__iexact=(email or "").strip()).first()
    if expert is None:
        return None
    User = get_user_model()
    owners = list(User.objects.filter(email__iexact=expert.email))
    if len(owners) > 1:
        logger.warning("Several accounts have the address of expert %s; no sign-in", expert.pk)
        return None
    if owners:
        user = owners[0]
        if not user.is_active or user.is_staff or user.is_superuser:
            return None
    else:
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
            user = User.objects.get(email__iexact=expert.email)
    _claim_address(user=user, email=expert.email)
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
            "profile_search_text",
            "name_sort_key",
            "updated_at",
        ]
    )
    expert.expertise_areas.set(list(expertise_areas))
    return expert
