"""The expert list's forum pieces: invite the selected experts, list those not yet invited.

Added here rather than in experts/admin.py: experts sits below forums and imports nothing
from it, so forums extends the expert admin and registers it in its place.
"""

from django.contrib import admin

from experts.admin import ExpertAdmin
from experts.models import Expert

from .inviting import NotInvitedToFilter, invite_list_title, invite_to_edition


class ExpertInvitingAdmin(ExpertAdmin):
    list_filter = (*ExpertAdmin.list_filter, NotInvitedToFilter)
    actions = (invite_to_edition, *ExpertAdmin.actions)

    def changelist_view(self, request, extra_context=None):
        title = invite_list_title(request)
        if title:
            extra_context = {**(extra_context or {}), "title": title}
        return super().changelist_view(request, extra_context)


admin.site.unregister(Expert)
admin.site.register(Expert, ExpertInvitingAdmin)
