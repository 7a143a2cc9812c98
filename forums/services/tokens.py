"""Personal RSVP link tokens: derived from a stored random seed, stored only as a sha256 hash.

The raw token is an HMAC-SHA256 (keyed with SECRET_KEY) of a random seed from
`secrets.token_urlsafe(32)`, URL-safe base64 without padding (43 characters): the database keeps
the seed and the token's hash, never the token, so a leaked database alone gives no working
links, while a reminder can still carry the very link the invitation carried. After a change of
SECRET_KEY old links still open (their hash is stored); while the old key is in
SECRET_KEY_FALLBACKS the seed still rebuilds them, so reminders carry the same link. Without it, a
reminder issues a new link, and a queued email that needs the old one fails with a reason
(docs/outbox.md).
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils import timezone

from academy_portal.core.prepared import PreparedQuery
from forums.models import Invitation, hash_token

MAX_TOKEN_LENGTH = 128


RSVP_PURPOSE = "forums.rsvp"


def _derive_token(seed: str, *, key: str | None = None, purpose: str = RSVP_PURPOSE) -> str:
    """The raw link token for a random seed: HMAC with SECRET_KEY (or `key`), 256 bits, URL-safe.

    The database stores the seed and the token's sha256, never the token: a leaked database alone
    does not give working links, yet a reminder can still carry the same link as the invitation.
    `purpose` keeps links of different kinds (an RSVP, a delegation) apart for the same seed.
    """
    secret = key if key is not None else settings.SECRET_KEY
    digest = hmac.new(secret.encode(), f"{purpose}:{seed}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_seeded_token(*, purpose: str) -> tuple[str, str, str]:
    """(seed, raw token, token hash) of a new random link: store the seed and the hash only."""
    seed = secrets.token_urlsafe(32)
    raw = _derive_token(seed, purpose=purpose)
    return seed, raw, hash_token(raw)


def rebuild_token(seed: str, token_hash: str, *, purpose: str = RSVP_PURPOSE) -> str | None:
    """The raw token a seed gave, if its hash is `token_hash` under SECRET_KEY or one of
    SECRET_KEY_FALLBACKS; None otherwise (a key changed since, or no seed)."""
    if not seed or not token_hash:
        return None
    for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        raw = _derive_token(seed, key=key, purpose=purpose)
        if hmac.compare_digest(hash_token(raw), token_hash):
            return raw
    return None


def issue_token(invitation: Invitation) -> str:
    """A new random link for the invitation (set on the object, not saved): the previous link
    stops working once the caller saves it. Returns the raw token, which is stored nowhere."""
    seed, raw, token_hash = new_seeded_token(purpose=RSVP_PURPOSE)
    invitation.token_seed = seed
    invitation.token_hash = token_hash
    invitation.token_issued_at = timezone.now()
    invitation.token_revoked_at = None
    return raw


def current_raw_token(invitation: Invitation) -> str | None:
    """The link token the expert already has; None if never sent, revoked, or made with a
    SECRET_KEY that is neither the current one nor in SECRET_KEY_FALLBACKS (key rotation)."""
    if invitation.token_revoked_at:
        return None
    return rebuild_token(invitation.token_seed, invitation.token_hash)


# What the pages behind a link read, in one query prepared once per process (every request
# with a personal link starts here); not `invited_by`, which no expert page shows.
_BY_TOKEN_HASH = PreparedQuery(
    lambda token_hash: (
        Invitation.objects.select_related("edition__forum", "expert", "offered_session")
        .filter(token_hash=token_hash)
        .order_by("pk")[:1]
    ),
    sentinel="prepared:token-hash",
)


def find_invitation_by_token(raw_token: str) -> Invitation | None:
    """The invitation whose link carries this token (withdrawn ones included), else None."""
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        return None
    token_hash = hash_token(raw_token)
    invitation = _BY_TOKEN_HASH.first(token_hash)
    if invitation is None or not hmac.compare_digest(invitation.token_hash, token_hash):
        return None
    offered = invitation.offered_session
    if offered is not None and offered.edition_id == invitation.edition_id:
        # The same edition (invite_expert checks it): its attribution rule needs no second join.
        offered.edition = invitation.edition
    return invitation
