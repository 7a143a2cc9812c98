"""Admin import flow: upload -> preview -> confirm, permissions, double clicks and forgeries."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy_portal.core import roles
from partners.models import MOU, Institution, PartnerImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
UPLOAD = reverse("admin:partners_partnerimport_upload")
CHANGELIST = reverse("admin:partners_partnerimport_changelist")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(client):
    user = UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS])
    client.force_login(user)
    return user


def upload(client, name, **extra):
    data = (FILES / name).read_bytes()
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **extra})


def confirm_url(record):
    return reverse("admin:partners_partnerimport_confirm", args=[record.pk])


def test_upload_preview_confirm(client, officer):
    page = client.get(UPLOAD)
    assert page.status_code == 200
    assert "partners-template.xlsx" in page.text and "Tên cơ quan" in page.text

    preview = upload(client, "valid_utf8_bom_semicolon_vi.csv")
    assert preview.status_code == 200
    assert Institution.objects.count() == 0  # the preview writes nothing
    record = PartnerImport.objects.get()
    assert record.status == PartnerImport.Status.PREVIEWED and record.dry_run
    assert record.stored_file
    assert "Confirm and import" in preview.text
    assert "Học viện Chính trị Quốc gia Hồ Chí Minh" in preview.text

    done = client.post(confirm_url(record))
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:partners_mou_changelist")
    assert MOU.objects.count() == 5
    record.refresh_from_db()
    assert record.status == PartnerImport.Status.CONFIRMED
    real = PartnerImport.objects.get(dry_run=False)
    assert (real.preview, real.rows_new, real.created_by) == (record, 5, officer)
    messages = [str(m) for m in client.get(done["Location"]).context["messages"]]
    assert any("5 new, 0 updated, 0 unchanged" in m for m in messages)


def test_preview_shows_field_changes_for_updates(client, officer):
    upload(client, "valid_utf8.csv")
    client.post(confirm_url(PartnerImport.objects.get()))
    MOU.objects.filter(title="MOU on Mekong studies").update(status=MOU.Status.ACTIVE)
    Institution.objects.filter(acronym="KNDA").update(city="Busan")

    preview = upload(client, "valid_utf8.csv")
    assert preview.context["record"].rows_updated == 2
    assert preview.context["record"].rows_unchanged == 3
    html = preview.text
    assert "<del>Active</del> → <ins>Expired</ins>" in html
    assert "<del>Busan</del> → <ins>Seoul</ins>" in html


def test_reimport_preview_says_nothing_would_change(client, officer):
    upload(client, "valid_utf8.csv")
    client.post(confirm_url(PartnerImport.objects.get()))
    preview = upload(client, "valid_utf8.csv")
    assert "importing it would change nothing" in preview.text
    assert "Confirm and import" not in preview.text


def test_errors_are_listed_and_there_is_nothing_to_confirm(client, officer):
    preview = upload(client, "errors.csv")
    assert "Confirm and import" not in preview.text
    assert "The file has 11 errors, so nothing will be imported" in preview.text
    assert "<td>3</td><td>Expires on</td><td>31/02/2025 is not a date</td>" in preview.text
    record = PartnerImport.objects.get()
    assert record.status == PartnerImport.Status.FAILED
    assert client.post(confirm_url(record)).status_code == 302
    assert Institution.objects.count() == 0


def test_hostile_upload_gets_a_message_not_a_500(client, officer):
    for name in ("hostile_binary.csv", "hostile_zipbomb.xlsx", "hostile_formula.xlsx"):
        response = upload(client, name)
        assert response.status_code == 200
        assert 'class="errornote' in response.text
    assert Institution.objects.count() == 0


def test_oversized_upload_is_refused_by_the_form(client, officer, settings):
    settings.IMPORT_MAX_FILE_SIZE = 500
    response = upload(client, "valid_utf8.csv")
    assert "The file is 1.6\xa0KB; the limit is 500\xa0bytes." in response.text
    assert PartnerImport.objects.count() == 0


def test_double_confirm_imports_once(client, officer):
    upload(client, "valid_utf8.csv")
    record = PartnerImport.objects.get()
    client.post(confirm_url(record))
    second = client.post(confirm_url(record), follow=True)
    assert "already imported" in second.text
    assert MOU.objects.count() == 5
    assert PartnerImport.objects.filter(dry_run=False).count() == 1


def test_confirm_imports_the_previewed_bytes_not_a_swapped_file(client, officer):
    upload(client, "valid_utf8.csv")
    record = PartnerImport.objects.get()
    # Someone replaces the stored file behind the preview's back.
    record.stored_file.save("swapped.csv", ContentFile(b"Institution name,Country\nEvil,VN\n"))
    response = client.post(confirm_url(record), follow=True)
    assert "stored file changed since the preview" in response.text
    assert Institution.objects.count() == 0


def test_confirm_of_someone_elses_preview_is_refused(client, officer):
    other = UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS])
    client.force_login(other)
    upload(client, "valid_utf8.csv")
    client.force_login(officer)
    response = client.post(confirm_url(PartnerImport.objects.get()), follow=True)
    assert "does not exist or is not yours" in response.text
    assert Institution.objects.count() == 0


def test_confirm_needs_post(client, officer):
    upload(client, "valid_utf8.csv")
    assert client.get(confirm_url(PartnerImport.objects.get())).status_code == 405


@pytest.mark.parametrize("role", [roles.VIEWERS, roles.FORUM_COORDINATORS])
def test_only_import_permission_holders_may_import(client, role):
    client.force_login(UserFactory(groups=[role]))
    assert client.get(UPLOAD).status_code == 403
    data = (FILES / "valid_utf8.csv").read_bytes()
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("v.csv", data)})
    assert response.status_code == 403
    assert Institution.objects.count() == 0
    # Viewers still see the import log, read-only, without the import button.
    log = client.get(CHANGELIST)
    assert log.status_code == 200
    assert "Import a partner file" not in log.text


def test_administrators_may_import(client):
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))
    assert client.get(UPLOAD).status_code == 200


def test_import_log_is_read_only(client, officer):
    upload(client, "errors.csv")
    record = PartnerImport.objects.get()
    page = client.get(reverse("admin:partners_partnerimport_change", args=[record.pk]))
    assert page.status_code == 200
    assert "31/02/2025 is not a date" in page.text
    assert 'name="_save"' not in page.text
    assert client.get(reverse("admin:partners_partnerimport_add")).status_code == 403
    delete = reverse("admin:partners_partnerimport_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("rows", [1, 40])
def test_import_log_changelist_queries_do_not_grow(client, officer, rows,
                                                   django_assert_max_num_queries):  # fmt: skip
    for _ in range(rows):
        PartnerImport.objects.create(
            created_by=officer, file_name="f.csv", file_format="csv", status="imported"
        )
    with django_assert_max_num_queries(10):  # same bound at 1 and 40 rows
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_mou_list_links_to_import_and_export(client, officer):
    page = client.get(reverse("admin:partners_mou_changelist"))
    assert UPLOAD in page.text
    assert reverse("admin:partners_partnerimport_export", args=["mous", "xlsx"]) in page.text
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    assert UPLOAD not in client.get(reverse("admin:partners_mou_changelist")).text
