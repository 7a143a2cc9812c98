"""The outbox's gauges for /metrics: how many emails wait, how long the oldest due one has
waited, how many failed. One aggregate query per scrape."""

from collections.abc import Iterable

from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from academy_portal.mail.models import OutboxMessage

Status = OutboxMessage.Status


def collect_outbox() -> Iterable[Metric]:
    now = timezone.now()
    figures = OutboxMessage.objects.filter(
        status__in=[Status.QUEUED, Status.SENDING, Status.FAILED]
    ).aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        oldest_due=Min("send_after", filter=Q(status=Status.QUEUED, send_after__lte=now)),
    )
    depth = GaugeMetricFamily(
        "portal_outbox_messages", "Emails in the outbox not yet sent, by status.", labels=["status"]
    )
    for status in ("queued", "sending", "failed"):
        depth.add_metric([status], figures[status])
    yield depth
    oldest = figures["oldest_due"]
    yield GaugeMetricFamily(
        "portal_outbox_oldest_due_age_seconds",
        "How long the oldest queued email has been due (0 when none is waiting).",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )
