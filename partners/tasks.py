from celery import shared_task
from django.db import OperationalError

from . import services


# A lost database connection is worth a few retries; a missed day is caught up by the next run
# anyway, because the most urgent threshold reached is what gets sent.
@shared_task(
    name="partners.tasks.check_mou_expiry",
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=3,
)
def check_mou_expiry() -> dict:
    """Daily (beat): mark expired MOUs, queue expiry notices. Safe to run twice: both steps are
    claimed by status transition and outbox dedup keys."""
    result = services.check_mou_expiry()
    return {"expired": [m.pk for m in result.expired], "queued": len(result.queued)}
