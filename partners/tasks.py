from celery import shared_task

from . import services


@shared_task(name="partners.tasks.check_mou_expiry")
def check_mou_expiry() -> dict:
    """Daily (beat): mark expired MOUs, queue expiry notices. Safe to run twice: both steps are
    claimed by status transition and outbox dedup keys."""
    result = services.check_mou_expiry()
    return {"expired": [m.pk for m in result.expired], "queued": len(result.queued)}
