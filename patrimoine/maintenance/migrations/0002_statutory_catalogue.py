from django.db import migrations


def load(apps, schema_editor):
    from patrimoine.maintenance.catalogue import load_catalogue

    load_catalogue(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0001_initial"),
        ("assets", "0003_equipment_categories"),
        ("organisations", "0002_trades"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
