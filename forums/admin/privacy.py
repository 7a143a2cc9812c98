"""Staff admin for experts' erasure requests: see them, and complete them with one action.

Requests come only from experts (/me/erasure/); staff neither add nor edit them. Completing
needs forums.change_erasurerequest (forum coordinators, administrators); viewers only see.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forums.models import ErasureRequest
from forums.services.privacy import anonymise_expert


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "expert", "status", "requested_at", "completed_at", "completed_by")
    list_filter = ("status",)
    list_select_related = ("expert", "completed_by")
    ordering = ("-requested_at", "-id")
    fields = ("expert", "status", "requested_at", "completed_at", "completed_by")
    readonly_fields = fields
    actions = ("anonymise_selected",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The request is the record that the erasure was asked for and done.
        return False

    @admin.action(
        description=_("Erase and anonymise the experts of the selected requests…"),
        permissions=["change"],
    )
    def anonymise_selected(self, request, queryset):
        pending = list(
            queryset.filter(status=ErasureRequest.Status.PENDING)
            .select_related("expert")
            .order_by("pk")
        )
        if "_confirm" in request.POST:
            done = sum(
                anonymise_expert(erasure_request=erasure_request, by=request.user)
                for erasure_request in pending
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d expert erased and anonymised.",
                    "%(count)d experts erased and anonymised.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase and anonymise experts"),
            "opts": self.model._meta,
            "requests": pending,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/forums/anonymise_experts.html", context)
