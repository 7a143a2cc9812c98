"""Real services for reliability tests and benches: a recording SMTP server and a Celery worker."""
