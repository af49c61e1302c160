"""The issue's starter taxonomy of trades: the three the national list lacked, and « Propreté » as the
name of the cleaning trade (its code `nettoyage` is kept: work orders and teams point to it)."""

from django.db import migrations

TRADES = [
    ("eclairage-public", "Éclairage public"),
    ("aires-de-jeux", "Aires de jeux"),
    ("ascenseurs", "Ascenseurs"),
]


def load(apps, schema_editor):
    Trade = apps.get_model("organisations", "Trade")
    for code, name in TRADES:
        Trade.objects.update_or_create(code=code, defaults={"name": name})
    Trade.objects.filter(code="nettoyage", name="Nettoyage").update(name="Propreté / nettoyage")


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial"), ("organisations", "0002_trades")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
