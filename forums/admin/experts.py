"""The expert admin's forum pieces: invite the selected experts, list those not yet invited,
and the expert's participation (invitations, answers, roles) on their page.

Added here rather than in experts/admin.py: experts sits below forums and imports nothing
from it, so forums extends the expert admin and registers it in its place.
"""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from experts.admin import ExpertAdmin
from experts.models import Expert
from forums.selectors import get_expert_participation

from .inviting import NotInvitedToFilter, invite_list_title, invite_to_edition


class ExpertInvitingAdmin(ExpertAdmin):
    list_filter = (*ExpertAdmin.list_filter, NotInvitedToFilter)
    actions = (invite_to_edition, *ExpertAdmin.actions)

    def changelist_view(self, request, extra_context=None):
        title = invite_list_title(request)
        if title:
            extra_context = {**(extra_context or {}), "title": title}
        return super().changelist_view(request, extra_context)

    class Media:
        css = {"all": ("css/invitations-admin.css",)}  # the status chips of the participation

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A saved expert, shown to staff who may read invitations (every role today).
        if obj is None or not request.user.has_perm("forums.view_invitation"):
            return fieldsets
        return (*fieldsets, (_("Participation"), {"fields": ("participation_history",)}))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "participation_history")

    @admin.display(description=_("Editions"))
    def participation_history(self, obj):
        participation = get_expert_participation(expert=obj) if obj.pk else []
        return render_to_string(
            "admin/forums/expert/participation.html", {"participation": participation}
        )


admin.site.unregister(Expert)
admin.site.register(Expert, ExpertInvitingAdmin)
