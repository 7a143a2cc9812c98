"""Forums admin, one module per area; each module registers its own models."""

from . import editions, invitations, privacy  # noqa: F401
