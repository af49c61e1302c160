"""Migrations stay backward compatible for one release (patrimoine/deploy/migration_rules.py)."""

from django.db import migrations, models

from patrimoine.deploy.migration_rules import _problems, breaking_operations


def test_no_migration_breaks_the_previous_release():
    assert breaking_operations() == [], (
        "Ces migrations cassent la version précédente encore en service pendant une mise à jour "
        "progressive : ajoutez les colonnes NOT NULL avec db_default (ou null=True), et ne retirez ou "
        "renommez qu'une version après avoir cessé de vous en servir (CONTRACT_MIGRATIONS)."
    )


def test_the_rule_catches_what_breaks_and_lets_through_what_adds():
    breaking = [
        migrations.RemoveField("workorder", "title"),
        migrations.DeleteModel("workorder"),
        migrations.RenameField("workorder", "title", "label"),
        migrations.AddField("workorder", "code", models.CharField(max_length=10, default="x")),
    ]
    compatible = [
        migrations.AddField("workorder", "note", models.CharField(max_length=10, null=True)),
        migrations.AddField("workorder", "code", models.CharField(max_length=10, db_default="x")),
        migrations.AddField("newmodel", "code", models.CharField(max_length=10)),  # created alongside
        migrations.AddIndex("workorder", models.Index(fields=["title"], name="wo_title_idx")),
    ]
    assert all(_problems(op, "workorders", {"newmodel"}, None) for op in breaking)
    assert not any(_problems(op, "workorders", {"newmodel"}, None) for op in compatible)
