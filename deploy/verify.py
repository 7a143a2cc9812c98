"""What deploy/check verifies through nginx, end to end, with the standard library only.

    python deploy/verify.py --https https://localhost:18443 --http http://localhost:18080 \
        --ca cert.pem --rsvp-path /rsvp/<token>/ --staff-user admin --staff-password ...

Prints one line per check and exits 1 if any failed.
"""

import argparse
import gzip
import http.client
import json
import re
import ssl
import sys
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
# The answer to a rate-limited sign-in (the form again, with this error: experts.adapters).
TOO_MANY = b"Too many failed sign-in attempts"


class Client:
    """One browser: its own cookies, optionally its own source address on loopback."""

    def __init__(self, base: str, *, ca: str, source: str | None = None):
        parts = urlsplit(base)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.base = base.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca)
        self.source = (source, 0) if source else None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body=None, headers=None):
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(
                self.host, self.port, context=self.context, source_address=self.source, timeout=30
            )
        else:
            conn = http.client.HTTPConnection(
                self.host, self.port, source_address=self.source, timeout=30
            )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, content

    def form_post(self, path: str, fields: dict, *, headers=None):
        data = urlencode(fields, doseq=True).encode()
        return self.request(
            "POST",
            path,
            body=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + path,
                **(headers or {}),
            },
        )

    def csrf(self, path: str) -> str:
        status, _, content = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        return CSRF_INPUT.search(content.decode()).group(1)


def check_https_answers(args):
    client = Client(args.https, ca=args.ca)
    status, headers, content = client.request("GET", "/healthz")
    assert status == 200, f"/healthz answered {status}: {content[:200]!r}"
    assert json.loads(content)["status"] == "ok"
    assert headers["X-Request-ID"], "no request id"
    return f"/healthz 200 ok over TLS (certificate verified), request id {headers['X-Request-ID']}"


def check_http_redirects(args):
    client = Client(args.http, ca=args.ca)
    status, headers, _ = client.request("GET", "/admin/?next=1")
    expected = args.https.rstrip("/") + "/admin/?next=1"
    assert status == 301, f"HTTP answered {status}"
    assert headers["Location"] == expected, headers["Location"]
    status, _, content = client.request("GET", "/healthz")
    assert status == 200 and json.loads(content)["status"] == "ok", "load balancer check over HTTP"
    return f"HTTP 301 -> {expected}; /healthz answers over HTTP for the load balancer"


def check_security_headers(args):
    client = Client(args.https, ca=args.ca)
    status, headers, _ = client.request("GET", "/accounts/login/")
    assert status == 200, status
    hsts = headers["Strict-Transport-Security"] or ""
    csp = headers["Content-Security-Policy"] or ""
    assert "max-age=31536000" in hsts, hsts
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp, csp
    return f"HSTS '{hsts}'; CSP '{csp[:60]}...'"


def check_forwarded_proto_is_overwritten(args):
    client = Client(args.https, ca=args.ca)
    # A client claiming plain HTTP on the HTTPS port: if nginx passed the header through,
    # Django (SECURE_SSL_REDIRECT) would redirect; nginx overwrites it with "https".
    status, _, _ = client.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert status == 200, f"forged X-Forwarded-Proto changed the answer: {status}"
    return "a forged X-Forwarded-Proto is overwritten (200, no redirect loop)"


def check_gzip(args):
    client = Client(args.https, ca=args.ca)
    status, headers, content = client.request(
        "GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip", headers["Content-Encoding"]
    page = gzip.decompress(content)
    return f"gzip: sign-in page {len(page)} bytes sent as {len(content)}"


def check_staff_sign_in(args):
    client = Client(args.https, ca=args.ca)
    token = client.csrf("/accounts/login/")
    status, _, content = client.form_post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": args.staff_user, "password": args.staff_password},
    )
    assert status == 302, f"sign-in answered {status}: {content[:300]!r}"
    status, _, content = client.request("GET", "/admin/")
    assert status == 200, f"/admin/ answered {status} after sign-in"
    assert b"Log out" in content or b"logout" in content, "not signed in on /admin/"
    return (
        f"{args.staff_user} signed in through the proxy and reached /admin/ (secure cookies kept)"
    )


def check_rsvp_answer(args):
    client = Client(args.https, ca=args.ca)
    status, _, content = client.request("GET", args.rsvp_path)
    assert status == 200, f"RSVP page answered {status}"
    version = VERSION_INPUT.search(content.decode()).group(1)
    fields = {
        "answer": "accepted",
        "attendance": "in_person",
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
        "version": version,
    }
    status, _, content = client.form_post(args.rsvp_path, fields)
    assert status in (302, 303), f"the answer was not taken: {status} {content[:300]!r}"
    status, _, content = client.request("GET", args.rsvp_path)
    assert status == 200
    checked = re.search(r'<input[^>]*value="accepted"[^>]*checked', content.decode())
    assert checked, "the RSVP page does not show the answer"
    return "an expert opened the personal link and accepted; the page shows the answer"


def check_large_upload_refused(args):
    size = 15 * 1024 * 1024
    parts = urlsplit(args.https)
    conn = http.client.HTTPSConnection(
        parts.hostname, parts.port, context=ssl.create_default_context(cafile=args.ca), timeout=30
    )
    conn.putrequest("POST", "/staff/partners/import/")
    conn.putheader("Content-Type", "text/csv")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    chunk = b"x" * (1024 * 1024)
    try:
        for _ in range(15):
            conn.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # nginx may answer and stop reading before the body is all sent
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 413, response.status
    assert "The file is too large" in body and "10 MB" in body and "Tệp quá lớn" in body, body
    return (
        "a 15 MB upload: 413 with the page that says the limit (10 MB), in English and Vietnamese"
    )


def check_client_address_reaches_rate_limiter(args):
    attacker = Client(args.https, ca=args.ca)
    token = attacker.csrf("/accounts/login/")
    blocked_after = None
    for attempt in range(1, 16):
        # Each attempt claims another address and another account: only the real address
        # (which nginx puts in X-Forwarded-For) can tie them together.
        status, _, content = attacker.form_post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token,
                "login": f"nobody-{uuid.uuid4().hex[:8]}",
                "password": "wrong",
            },
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
        )
        assert status in (200, 429), f"failed sign-in answered {status}"
        if status == 429 or TOO_MANY in content:
            blocked_after = attempt
            break
    assert blocked_after, "15 failed sign-ins with forged addresses were never rate-limited"
    # Another real client (another loopback address) is not blocked.
    other = Client(args.https, ca=args.ca, source="127.0.0.2")
    token = other.csrf("/accounts/login/")
    status, _, content = other.form_post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": "nobody-else", "password": "wrong"},
    )
    assert status == 200 and TOO_MANY not in content, "a different client was blocked too"
    return (
        f"failed sign-ins with forged X-Forwarded-For were limited at attempt {blocked_after} "
        "(the real address counts); a second client (127.0.0.2) is not affected"
    )


def check_metrics(args):
    client = Client(args.https, ca=args.ca)
    status, _, _ = client.request("GET", "/metrics")
    assert status == 404, f"/metrics without the token answered {status}"
    status, _, content = client.request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {args.metrics_token}"}
    )
    assert status == 200, f"/metrics with the token answered {status}"
    text = content.decode()
    served = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("portal_http_requests_total{")
    )
    # The checks above sent 11 requests to Django, spread over both gunicorn workers: the
    # multiprocess mode sums them all (one worker's own figures would show fewer).
    assert served >= 11, f"only {served} requests counted"
    for name in (
        "portal_outbox_messages",
        "portal_outbox_oldest_due_age_seconds",
        "portal_task_failures_total",
        "portal_http_request_duration_seconds_bucket",
    ):
        assert name in text, f"{name} missing"
    return (
        f"/metrics: 404 without the token; with it {served:.0f} requests counted (all "
        "workers), outbox and task gauges present"
    )


CHECKS = [
    check_https_answers,
    check_http_redirects,
    check_security_headers,
    check_forwarded_proto_is_overwritten,
    check_gzip,
    check_staff_sign_in,
    check_rsvp_answer,
    check_large_upload_refused,
    check_metrics,
    # Last: it leaves 127.0.0.1 rate-limited for sign-in for a minute.
    check_client_address_reaches_rate_limiter,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--https", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--rsvp-path", required=True)
    parser.add_argument("--staff-user", required=True)
    parser.add_argument("--staff-password", required=True)
    parser.add_argument("--metrics-token", required=True)
    args = parser.parse_args()
    failures = 0
    for check in CHECKS:
        name = check.__name__.removeprefix("check_").replace("_", " ")
        try:
            detail = check(args)
        except Exception as exc:  # report every check, then fail
            failures += 1
            print(f"FAIL  {name}: {type(exc).__name__}: {exc}")
        else:
            print(f"ok    {name}: {detail}")
    print(f"\n{len(CHECKS) - failures} of {len(CHECKS)} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
