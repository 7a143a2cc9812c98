"""Accepted experts who asked for a visa support letter, answered through the RSVP service as
the form does; shared by the visa letter and participants tests."""

import datetime as dt

from forums.services import invite_expert, send_invitation, submit_rsvp
from tests.factories import ExpertFactory

PASSPORT_NAME = "NGUYỄN THỊ ÁNH TUYẾT"


def answer(invitation, staff, *, answer="accepted", **fields):
    """Send `invitation` (a draft) and answer it with `fields` (accepted: in person, consent)."""
    send_invitation(invitation, sent_by=staff)
    invitation.refresh_from_db()
    if answer == "accepted":
        fields = {
            "attendance": "in_person",
            "privacy_consent": True,
            "chatham_house_acknowledged": True,
            **fields,
        }
    submit_rsvp(invitation, answer=answer, expected_version=invitation.version, **fields)
    invitation.refresh_from_db()
    return invitation


def visa_applicant(edition, staff, *, passport_name=PASSPORT_NAME, nationality="AU", **fields):
    """An invitation to `edition` accepted with a visa letter asked for and a passport name."""
    invitation, _ = invite_expert(
        edition, expert=fields.pop("expert", None) or ExpertFactory(), invited_by=staff
    )
    defaults = {
        "needs_visa_letter": True,
        "passport_name": passport_name,
        "passport_nationality": nationality,
        "arrival_date": edition.start_date - dt.timedelta(days=2),
        "departure_date": edition.end_date + dt.timedelta(days=1),
    }
    return answer(invitation, staff, **{**defaults, **fields})
