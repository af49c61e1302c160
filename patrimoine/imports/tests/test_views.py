"""The import pages: upload → mapping → check (preview and every error) → import → summary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patrimoine.assets.models import Building
from patrimoine.imports.models import ColumnMapping, ImportJob
from patrimoine.organisations.models import Membership

pytestmark = pytest.mark.django_db

GOOD = "Code bâtiment;Libellé;Surface (m²);Zone\nB1;École <b>Jules-Ferry</b>;1 234,50;Nord\nB2;Mairie;98;Sud\n"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _upload(client, text, kind="buildings", name="export.csv", encoding="cp1252", **extra):
    upload = SimpleUploadedFile(name, text.encode(encoding) if isinstance(text, str) else text, "text/csv")
    return client.post(reverse("imports:home"), {"kind": kind, "file": upload, **extra})


def test_upload_map_check_and_import(
    client, login, manager, commune, immediate_tasks, unscoped, django_capture_on_commit_callbacks
):
    login(manager, commune)
    page = client.get(reverse("imports:home"))
    assert page.status_code == 200 and "Reprise de données" in page.content.decode()
    response = _upload(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job-mapping", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "CSV · windows-1252 · séparateur « ; »" in page
    assert '<option value="code" selected>' in page  # « Code bâtiment » recognised
    with django_capture_on_commit_callbacks(execute=True):  # the check runs as a task too
        response = client.post(
            reverse("imports:job-mapping", args=[job.pk]),
            {"col_0": "code", "col_1": "name", "col_2": "surface_m2", "col_3": "city", "save_as": "Export Atal"},
        )
    assert response.status_code == 302
    assert ColumnMapping.objects.get(organisation=commune).name == "Export Atal"
    page = client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert "aucune erreur" in page and "2 bâtiments" in page
    assert "École &lt;b&gt;Jules-Ferry&lt;/b&gt;" in page  # the preview escapes what it shows
    assert not Building.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:job-commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.counts == {"buildings": 2, "sites": 2}
    assert Building.objects.get(code="B1").city == "Nord"
    page = client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert "Import terminé" in page and 'http-equiv="refresh"' not in page
    # A second commit is refused: the job ran already.
    client.post(reverse("imports:job-commit", args=[job.pk]))
    assert Building.objects.count() == 2


def test_errors_are_listed_and_the_import_cannot_be_launched(
    client, login, manager, commune, unscoped, immediate_tasks, django_capture_on_commit_callbacks
):
    login(manager, commune)
    _upload(client, "Code bâtiment;Libellé;Surface (m²)\nB1;;abc\nB2;Mairie;1,2,3\n")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        mapping = {"col_0": "code", "col_1": "name", "col_2": "surface_m2"}
        client.post(reverse("imports:job-mapping", args=[job.pk]), mapping)
    page = client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert "3 erreurs" in page and "Valeur obligatoire manquante." in page and "<code>abc</code>" in page
    assert "Lancer l'import" not in page
    response = client.post(reverse("imports:job-commit", args=[job.pk]), follow=True)
    assert "Corrigez les erreurs" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and not Building.objects.exists()


def test_a_mapping_without_a_required_field_is_refused_in_french(client, login, manager, commune, unscoped):
    login(manager, commune)
    _upload(client, GOOD)
    job = ImportJob.objects.get()
    response = client.post(reverse("imports:job-mapping", args=[job.pk]), {"col_0": "code", "col_1": "code"})
    assert response.status_code == 400
    assert "Plusieurs colonnes alimentent le même champ" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (bytes(range(256)) * 50, "x.csv", "binaire"),
        (b"", "x.csv", "vide"),
        ("Code;Nom\n", "x.csv", "aucune ligne"),
        (b"PK\x03\x04garbage" * 50, "x.xlsx", "illisible"),
    ],
)
def test_hostile_files_get_a_400_with_a_french_message(client, login, manager, commune, content, name, message):
    login(manager, commune)
    response = _upload(client, content, name=name, encoding="utf-8")
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_files_over_the_limit_are_refused(client, login, manager, commune, monkeypatch):
    monkeypatch.setattr("patrimoine.imports.forms.MAX_BYTES", 1000)
    login(manager, commune)
    response = _upload(client, "Code;Nom\n" + "B1;x\n" * 400)
    assert response.status_code == 400 and "taille maximale" in response.content.decode()


def test_a_real_upload_over_the_limit_is_a_400_not_a_500(client, login, manager, commune, settings):
    login(manager, commune)
    big = b"Code;Nom\n" + b"B1;" + b"x" * (settings.UPLOAD_MAX_BYTES + 10) + b"\n"
    response = _upload(client, big, name="enorme.csv")
    assert response.status_code == 400 and "taille maximale" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_pages_are_refused_to_roles_without_the_import_action(client, f, login, commune):
    job = ImportJob.objects.create(
        organisation=commune, kind="buildings", filename="x.csv", content=b"", file_format="csv"
    )
    for role in (Membership.Role.TECHNICIAN, Membership.Role.READER, Membership.Role.REQUESTER):
        login(f.user(role=role, organisation=commune), commune)
        assert client.get(reverse("imports:home")).status_code == 403
        assert client.get(reverse("imports:job-detail", args=[job.pk])).status_code == 403


def test_another_communes_import_is_a_404(client, f, login, commune, manager):
    other = f.organisation("Nesmy")
    job = ImportJob.objects.create(
        organisation=other, kind="buildings", filename="secret.csv", content=b"", file_format="csv"
    )
    login(manager, commune)
    for name in ("imports:job-detail", "imports:job-mapping"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:job-commit", args=[job.pk])).status_code == 404
    assert "secret.csv" not in client.get(reverse("imports:home")).content.decode()


def test_a_queued_check_shows_its_progress_and_nothing_is_written(client, login, manager, commune, unscoped):
    login(manager, commune)
    _upload(client, GOOD)
    job = ImportJob.objects.get()
    client.post(reverse("imports:job-mapping", args=[job.pk]), {"col_0": "code", "col_1": "name"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKING  # waits for the worker
    page = client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert "Vérification en cours" in page and 'http-equiv="refresh"' in page
    assert not Building.objects.exists()


def test_the_progress_page_refreshes_itself_while_the_job_runs(client, login, manager, commune):
    job = ImportJob.objects.create(
        organisation=commune,
        kind="buildings",
        filename="x.csv",
        content=b"",
        file_format="csv",
        status=ImportJob.Status.RUNNING,
        rows_total=200,
        rows_done=50,
    )
    login(manager, commune)
    page = client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress id="progression" max="200" value="50">' in page
