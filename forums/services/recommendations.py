"""Inviting the experts a coordinator ticked on the suggestions page (forums.recommend)."""

from collections.abc import Sequence

from django.contrib.admin.models import CHANGE
from django.db import transaction

from academy_portal.core.services import log_admin_action
from experts.models import Expert
from forums.models import Edition

from .batches import Drafted, invite_experts


@transaction.atomic
def invite_suggested_experts(edition: Edition, *, expert_ids: Sequence[int], invited_by) -> Drafted:
    """Draft invitations for the chosen experts (one per expert and edition, as always) and
    one entry in the edition's history naming them. Unknown ids are ignored; nothing is sent."""
    experts = list(Expert.objects.filter(pk__in=set(expert_ids)).order_by("name_sort_key", "pk"))
    drafted = invite_experts(edition, experts=experts, invited_by=invited_by)
    if experts:
        log_admin_action(
            user=invited_by,
            obj=edition,
            action_flag=CHANGE,
            message="Invited from the suggestions (drafts): "
            + ", ".join(expert.full_name for expert in experts),
        )
    return drafted
