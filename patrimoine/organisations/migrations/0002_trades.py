from django.db import migrations

TRADES = [
    ("electricite", "Électricité"),
    ("plomberie", "Plomberie"),
    ("cvc", "CVC / chauffage"),
    ("menuiserie", "Menuiserie"),
    ("serrurerie", "Serrurerie / métallerie"),
    ("peinture", "Peinture"),
    ("maconnerie", "Maçonnerie"),
    ("couverture", "Couverture"),
    ("vitrerie", "Vitrerie"),
    ("securite-incendie", "Sécurité incendie"),
    ("espaces-verts", "Espaces verts"),
    ("voirie", "Voirie"),
    ("nettoyage", "Nettoyage"),
]


def load(apps, schema_editor):
    Trade = apps.get_model("organisations", "Trade")
    for code, name in TRADES:
        Trade.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
