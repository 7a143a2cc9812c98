import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy_portal.settings")

app = Celery("academy_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def count_task_failure(sender=None, **kwargs):
    """A failed task shows in /metrics (portal_task_failures) whichever host ran it."""
    from academy_portal.core.metrics import record_task_failure  # noqa: PLC0415 - Django is set up by now

    record_task_failure(sender.name if sender else "unknown")
