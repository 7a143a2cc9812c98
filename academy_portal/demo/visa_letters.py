"""Demo step: the letterhead's signatory and the visa support letters of the upcoming edition.

The invitations step already has accepted experts who asked for a letter and gave a passport
name; this numbers their letters as a coordinator would (a re-run reuses the numbers) and says
where the participants page, the register and the command are.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from academy_portal.core import roles
from forums.models import LetterSettings
from forums.models.visa_letters import LETTERHEAD_SETTINGS_ID
from forums.services.visa_letters import edition_letter_candidates, issue_visa_letters

from .context import DemoContext, upsert

SIGNATORY = {
    "signatory_name": "Lê Thị Thu Hằng",
    "signatory_title": "Vice President",
    "signatory_title_vi": "Phó Giám đốc",
    "city": "Hà Nội",
}


def build_visa_letters(ctx: DemoContext) -> None:
    """Signatory settings, and a numbered letter for each eligible expert of the edition."""
    upsert(ctx, LetterSettings, lookup={"pk": LETTERHEAD_SETTINGS_ID}, values=SIGNATORY)
    edition = ctx.upcoming_edition
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    outcome = issue_visa_letters(edition_letter_candidates(edition), issued_by=coordinator)
    participants = reverse("forums_staff:participants", args=[edition.pk])
    ctx.notes += [
        "",
        f"Participants of {edition}: {participants}",
        f"  {len(outcome.letters)} visa support letters in the register "
        f"({reverse('admin:forums_visaletter_changelist')}?edition__id__exact={edition.pk}); "
        f"as PDFs: python manage.py visa_letters --edition {edition.pk} --out var/visa-letters",
    ]
