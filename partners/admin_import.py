"""Admin side of partner import/export: upload -> preview -> confirm, the read-only import log,
and the CSV/.xlsx export actions (`ExportActionsMixin`, which partners/admin.py mixes into its
admins; importing it registers `PartnerImportAdmin`).

The import runs through partners.importing (all or nothing); the confirmation imports the exact
bytes that were previewed, stored server-side with their SHA-256, never a re-uploaded file.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .importing import PreviewNotAvailable, confirm_partner_import, import_partner_file
from .importing.columns import COLUMNS
from .importing.errors import grouped
from .importing.preview import encoding_name, interpreted
from .importing.template import template_csv, template_xlsx
from .models import PartnerImport
from .resources import EXPORT_FORMATS, MODELS, partner_export_response

IMPORT_PERMISSION = "partners.import_partners"
PREVIEW_ROW_LIMIT = 500


class PartnerFileForm(forms.Form):
    file = forms.FileField(
        label=_("Partner file"),
        help_text=_("CSV (UTF-8, UTF-16, Windows-1258/1252; comma, semicolon or tab) or .xlsx."),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect from the file")), ("csv", "CSV"), ("xlsx", "Excel (.xlsx)")],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_FILE_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


def can_import(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(IMPORT_PERMISSION)


@admin.register(PartnerImport)
class PartnerImportAdmin(admin.ModelAdmin):
    change_list_template = "admin/partners/partnerimport/change_list.html"
    list_display = (
        "created_at",
        "created_by",
        "file_name",
        "file_format",
        "dry_run",
        "status",
        "rows_total",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_errors",
    )
    list_select_related = ("created_by",)
    list_filter = ("status", "dry_run", "file_format")
    search_fields = ("file_name",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "finished_at",
        "created_by",
        "file_name",
        "file_size",
        "file_format",
        "encoding",
        "file_sha256",
        "dry_run",
        "status",
        "preview",
        "rows_total",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_errors",
        "error_list",
    )
    exclude = ("errors", "stored_file")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("errors"))
    def error_list(self, obj):
        if not obj.errors:
            return "—"
        return format_html_join("\n", "<div>{}</div>", ((_error_text(e),) for e in obj.errors))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **self._links(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def _links(self, request):
        return {
            "can_import": can_import(request.user),
            "export_links": [
                (what, MODELS[what]._meta.verbose_name_plural)
                for what in ("mous", "institutions", "contacts")
                if request.user.has_perm(f"partners.view_{MODELS[what]._meta.model_name}")
            ],
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="partners_partnerimport_upload"),
            path(
                "<int:pk>/confirm/",
                wrap(self.confirm_view),
                name="partners_partnerimport_confirm",
            ),
            path(
                "template/<str:file_format>/",
                wrap(self.template_view),
                name="partners_partnerimport_template",
            ),
            path(
                "export/<str:what>/<str:file_format>/",
                wrap(self.export_view),
                name="partners_partnerimport_export",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import MOU partners"),
            "columns": COLUMNS,
            "max_size_mb": settings.IMPORT_MAX_FILE_SIZE // (1024 * 1024),
            **self._links(request),
            **extra,
        }

    def upload_view(self, request):
        if not can_import(request.user):
            raise PermissionDenied
        form = PartnerFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = import_partner_file(
                upload.read(),
                file_name=upload.name,
                file_format=form.cleaned_data["file_format"] or None,
                dry_run=True,
                user=request.user,
                keep_file=True,
            )
            return TemplateResponse(
                request,
                "admin/partners/partnerimport/preview.html",
                self._context(request, **_preview_context(outcome)),
            )
        return TemplateResponse(
            request, "admin/partners/partnerimport/upload.html", self._context(request, form=form)
        )

    def template_view(self, request, file_format):
        """The template, built from the importer's own tables: headers, an example row and
        (.xlsx) a sheet of every accepted value in English and Vietnamese."""
        if not can_import(request.user):
            raise PermissionDenied
        if file_format not in EXPORT_FORMATS:
            raise Http404
        content = template_csv() if file_format == "csv" else template_xlsx()
        response = HttpResponse(content, content_type=EXPORT_FORMATS[file_format][0])
        response["Content-Disposition"] = (
            f'attachment; filename="partners-template.{EXPORT_FORMATS[file_format][1]}"'
        )
        return response

    def confirm_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_import(request.user):
            raise PermissionDenied
        try:
            outcome = confirm_partner_import(pk, user=request.user)
        except PreviewNotAvailable as exc:
            messages.error(request, str(exc))
            return redirect("admin:partners_partnerimport_upload")
        if not outcome.ok:
            # The database changed since the preview (or refused the write): show why.
            messages.error(request, _("Nothing was imported."))
            return TemplateResponse(
                request,
                "admin/partners/partnerimport/preview.html",
                self._context(request, **_preview_context(outcome), after_confirm=True),
            )
        record = outcome.record
        messages.success(
            request,
            _("Imported %(name)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "name": record.file_name,
                "new": record.rows_new,
                "updated": record.rows_updated,
                "unchanged": record.rows_unchanged,
            },
        )
        return redirect(reverse("admin:partners_mou_changelist"))

    def export_view(self, request, what, file_format):
        if what not in MODELS or file_format not in ("csv", "xlsx"):
            raise PermissionDenied
        model = MODELS[what]
        if not request.user.has_perm(f"partners.view_{model._meta.model_name}"):
            raise PermissionDenied
        return partner_export_response(what, user=request.user, file_format=file_format)


def _error_text(error: dict) -> str:
    if error.get("row") and error.get("column"):
        return _("row %(row)s, %(column)s: %(message)s") % error
    if error.get("row"):
        return _("row %(row)s: %(message)s") % error
    return error["message"]


def _preview_context(outcome) -> dict:
    by_outcome = {"new": [], "updated": [], "unchanged": []}
    for row in outcome.rows:
        by_outcome[row.outcome].append(row)
    record = outcome.record
    return {
        "outcome": outcome,
        "record": record,
        # The first IMPORT_ERRORS_SHOWN errors; the others only as counts per column and kind.
        "row_errors": outcome.errors,
        "error_count": grouped(outcome.error_count),
        "error_rows": grouped(record.rows_errors),
        "errors_shown": grouped(len(outcome.errors)),
        "more_errors": grouped(outcome.more_errors) if outcome.more_errors else "",
        "error_counts": [
            {"count": grouped(c.count), "column": c.column, "problem": c.problem}
            for c in outcome.error_counts
        ],
        "new_rows": [(r, interpreted(r)) for r in by_outcome["new"][:PREVIEW_ROW_LIMIT]],
        "updated_rows": [(r, interpreted(r)) for r in by_outcome["updated"][:PREVIEW_ROW_LIMIT]],
        # Rows without an error, by what they would do: the tables below list exactly these.
        "counts": {k: grouped(v) for k, v in outcome.counts.items()},
        "encoding": encoding_name(record.encoding) if record.encoding else "",
        "unchanged_rows": by_outcome["unchanged"][:PREVIEW_ROW_LIMIT],
        "row_limit": PREVIEW_ROW_LIMIT,
        "error_rows_count": grouped(record.rows_errors),
        "summary": ngettext(
            "%(count)s row read from the file.",
            "%(count)s rows read from the file.",
            record.rows_total,
        )
        % {"count": grouped(record.rows_total)},
    }


class ExportActionsMixin:
    """Admin actions exporting the selected partners, MOUs or contacts as CSV or .xlsx."""

    export_what = ""
    actions = ("export_selected_csv", "export_selected_xlsx")

    # "Select all N" (select_across) hands the whole filtered list here without posting ids.
    def _export(self, request, queryset, file_format):
        return partner_export_response(
            self.export_what, user=request.user, file_format=file_format, queryset=queryset
        )

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected as Excel (.xlsx)"), permissions=["view"])
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")
