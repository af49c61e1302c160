from django.db import migrations

CATEGORIES = [
    ("cvc-chauffage", "CVC / chauffage", "cvc"),
    ("electricite", "Électricité (tableaux, installations)", "electricite"),
    ("eclairage-public", "Éclairage public", "electricite"),
    ("eclairage-securite", "Éclairage de sécurité (BAES)", "electricite"),
    ("plomberie-sanitaire", "Plomberie / sanitaires", "plomberie"),
    ("eau-chaude-sanitaire", "Eau chaude sanitaire", "plomberie"),
    ("ascenseurs", "Ascenseurs et élévateurs", "electricite"),
    ("ssi", "Sécurité incendie / SSI (alarme, détection)", "securite-incendie"),
    ("extincteurs", "Extincteurs et RIA", "securite-incendie"),
    ("desenfumage", "Désenfumage", "securite-incendie"),
    ("menuiseries", "Menuiseries (portes, fenêtres)", "menuiserie"),
    ("portes-automatiques", "Portes et portails automatiques", "serrurerie"),
    ("couverture", "Couverture, toiture, gouttières", "couverture"),
    ("aires-de-jeux", "Aires de jeux", "serrurerie"),
    ("equipements-sportifs", "Équipements sportifs (buts, paniers)", "serrurerie"),
    ("cuisine", "Cuisine collective (hottes, fours)", "cvc"),
    ("gaz", "Installations gaz", "cvc"),
]


def load(apps, schema_editor):
    Category = apps.get_model("assets", "EquipmentCategory")
    Trade = apps.get_model("organisations", "Trade")
    for code, name, trade in CATEGORIES:
        Category.objects.update_or_create(code=code, defaults={"name": name, "trade": Trade.objects.get(code=trade)})


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial"), ("organisations", "0002_trades")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
