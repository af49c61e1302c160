"""`manage.py upgrade` on the test database (the full run, with backup and pending migrations, is in
test_production_stack.py): what it reports, what it records, when it refuses."""

import io

import pytest
from django.core.management import CommandError, call_command

from patrimoine.deploy.models import Upgrade
from patrimoine.deploy.upgrade import static_changes
from patrimoine.deploy.version import code_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def upgrade(**options) -> str:
    out = io.StringIO()
    call_command("upgrade", stdout=out, **options)
    return out.getvalue()


def test_an_up_to_date_instance_is_checked_and_its_version_recorded(static_root):
    first = upgrade(no_backup=True)
    assert f"Version : inconnue (première mise à jour) → {code_version()}" in first
    assert "Migrations : aucune à appliquer" in first
    assert "Sauvegarde : aucune (--no-backup)" in first
    assert (static_root / "css" / "patrimoine.css").exists()
    assert Upgrade.objects.get().version == code_version()

    again = upgrade(no_backup=True)
    assert f"Version : {code_version()} → {code_version()}" in again
    assert Upgrade.objects.count() == 2


def test_without_a_backup_folder_nothing_is_done(static_root, settings):
    settings.BACKUP_DIR = ""
    with pytest.raises(CommandError, match="Indiquez où sauvegarder"):
        call_command("upgrade", stdout=io.StringIO())
    assert not Upgrade.objects.exists() and not static_root.exists()


def test_configuration_errors_stop_before_the_backup(static_root, settings, tmp_path):
    settings.PRODUCTION = True  # a production instance still sending e-mail to the console
    with pytest.raises(CommandError, match="La configuration a des erreurs : rien n'a été modifié") as refused:
        call_command("upgrade", backup_dir=str(tmp_path / "sauvegardes"), stdout=io.StringIO())
    assert "mail.E001" in str(refused.value)
    assert not (tmp_path / "sauvegardes").exists() and not Upgrade.objects.exists()


def test_static_changes_count_new_changed_and_removed_files():
    before = {"a.css": "a.111111111111.css", "b.js": "b.222222222222.js", "c.png": "c.333333333333.png"}
    after = {"a.css": "a.111111111111.css", "b.js": "b.444444444444.js", "d.svg": "d.555555555555.svg"}
    changes = static_changes(before, after)
    assert (changes.added, changes.changed, changes.removed, changes.total) == (1, 1, 1, 3)
    assert static_changes(None, None).hashed is False
