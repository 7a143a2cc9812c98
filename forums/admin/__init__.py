"""Forums admin, one module per area; each module registers its own models."""

from . import attendance, editions, experts, invitations, privacy, visa_letters  # noqa: F401
