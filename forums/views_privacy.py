"""A signed-in expert's privacy pages: download their data, ask for its erasure.

The expert is always the one signed in (experts.services.expert_for_user): no page takes an
expert or invitation id, so nobody can ask for another expert's data.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from experts.services import expert_for_user
from forums.services.privacy import (
    pending_erasure_request,
    personal_data_export,
    request_erasure,
)

from .views import PRIVATE_PAGE_HEADERS, _activate_expert_language, _with_headers


def _not_an_expert(request):
    response = render(request, "experts/not_an_expert.html", status=403)
    return _with_headers(response, PRIVATE_PAGE_HEADERS)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_data(request):
    """Everything the portal holds about the signed-in expert, as a JSON file."""
    expert = expert_for_user(request.user)
    if expert is None:
        return _not_an_expert(request)
    data = personal_data_export(expert=expert, user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"academy-portal-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _with_headers(response, PRIVATE_PAGE_HEADERS)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_erasure(request):
    """GET: what erasure means, and a confirmation button. POST: the request (once)."""
    expert = expert_for_user(request.user)
    if expert is None:
        return _not_an_expert(request)
    _activate_expert_language(request, expert)
    if request.method == "POST":
        request_erasure(expert=expert)
        messages.success(
            request,
            _(
                "Your request has been received. Until the academy has erased your data, "
                "this page shows the request as pending."
            ),
        )
        return _with_headers(redirect("experts:me"), PRIVATE_PAGE_HEADERS)
    context = {"expert": expert, "pending": pending_erasure_request(expert)}
    return _with_headers(render(request, "forums/my_erasure.html", context), PRIVATE_PAGE_HEADERS)
