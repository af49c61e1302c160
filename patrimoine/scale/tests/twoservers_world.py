"""The people and places of the two-server test, written into the database of DATABASE_URL by a
subprocess (`python -m patrimoine.scale.tests.twoservers_world`), which prints them as JSON.

It runs against the throw-away primary the test started, not the test database of pytest."""

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patrimoine.settings")
    django.setup()
    from django_scopes import scopes_disabled

    from patrimoine.core.reference_data import load_reference_data
    from patrimoine.organisations.models import Membership
    from patrimoine.testing import factories as f

    load_reference_data()
    with scopes_disabled():
        nesmy, venansault = f.organisation("Nesmy"), f.organisation("Venansault")
        f.user("claire", role=Membership.Role.MANAGER, organisation=nesmy)
        f.user("victor", role=Membership.Role.MANAGER, organisation=venansault)
        school = f.building(nesmy, "École Jules-Verne")
        f.building(venansault, "Mairie de Venansault")
    print(json.dumps({"password": f.PASSWORD, "school": str(school.pk)}))


if __name__ == "__main__":
    main()
