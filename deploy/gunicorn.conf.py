"""gunicorn settings for the web unit (deploy/systemd/academy-portal-web.service).

Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, gunicorn's own
variable; default 2 x cores + 1), PROMETHEUS_MULTIPROC_DIR (see the README's settings table).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Same as nginx's proxy_read_timeout: a request still running after 60 s is cut on both sides.
timeout = 60
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Only nginx on this host may set X-Forwarded-* for gunicorn itself; Django reads them by its
# own settings (USE_X_FORWARDED_PROTO, USE_X_FORWARDED_FOR).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A worker that exits leaves its live gauges behind in multiprocess mode: drop them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 - only in multiprocess mode

        multiprocess.mark_process_dead(worker.pid)
