"""The core path, end to end, in real headless Chromium (issue 2's definition of done):

a requester files a request → the shared team's lead triages it into a work order and assigns a
technician → the technician records 2.5 h and two materials and finishes → the lead validates →
the building page and the commune's totals show the right cost, to the cent.
"""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from conftest import browser_login
from patrimoine.intake.models import WorkRequest
from patrimoine.organisations.models import Membership, TeamMember
from patrimoine.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = Membership.Role

# 2.5 h × 38.40 € = 96.00 € ; 2 × 0.85 € + 1 × 12.40 € = 14.10 € ; total 110.10 €.
EXPECTED_TOTAL = Decimal("110.10")


@pytest.fixture
def agglomeration(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    plumbing = f.trade("plomberie", "Plomberie")
    karim = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="Haddad")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed", last_name="Benali")
    f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=nesmy, first_name="Nadia")
    f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy, first_name="Claire")
    team = f.team(
        epci,
        "Régie bâtiment mutualisée",
        lead=karim,
        members=[ahmed],
        serves=[nesmy, venansault],
        trade_obj=plumbing,
        grade=TeamMember.Grade.AGENT,
    )
    f.labour_rate(epci, "38.40", grade=TeamMember.Grade.AGENT, trade_obj=plumbing)
    school = f.building(nesmy, "École élémentaire Jules Ferry")
    f.building(venansault, "Mairie de Venansault")
    f.item(epci, "Joint fibre 20/27", "0.85", reference="JF2027")
    f.item(epci, "Flexible inox 50 cm", "12.40", reference="FLX50")
    return {"nesmy": nesmy, "school": school, "team": team, "ahmed": ahmed}


def test_request_to_validated_cost_on_the_building_and_the_commune(agglomeration, page):
    school = agglomeration["school"]

    # 1. Nadia reports the leak.
    browser_login(page, "demandeur.nesmy")
    page.get_by_role("link", name="Signaler un problème").first.click()
    page.get_by_label("Bâtiment", exact=True).select_option(str(school.pk))
    page.get_by_label("Décrivez le problème").fill("Fuite sous l'évier de la cantine, l'eau coule par terre")
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_role("button", name="Envoyer la demande").click()
    with scopes_disabled():
        request = WorkRequest.objects.get()
    expect(page.locator("main")).to_contain_text(request.reference)
    page.get_by_role("button", name="Se déconnecter").click()

    # 2. Karim accepts it into a work order for Ahmed, tomorrow morning.
    browser_login(page, "chef.epci")
    page.goto("/demandes/")
    page.locator(f"#request-{request.pk}").get_by_role("link", name="Corriger").click()
    expect(page.get_by_label("Corps de métier")).to_have_value(str(request.suggested_trade_id or ""))
    page.get_by_label("Équipe (facultatif)").select_option(str(agglomeration["team"].pk))
    page.get_by_label("Ahmed Benali", exact=False).check()
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    page.get_by_label("Jour d'intervention (facultatif)").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Accepter et créer le bon de travail").click()
    with scopes_disabled():
        order = WorkOrder.objects.get()
        assert order.status == WorkOrder.Status.PLANNED
        assert list(order.technicians.all()) == [agglomeration["ahmed"]]
        assert order.organisation == agglomeration["nesmy"] and order.building == school
    page.get_by_role("button", name="Se déconnecter").click()

    # 3. Ahmed does the job: 2.5 h, two materials from the catalogue, done.
    browser_login(page, "technicien.epci")
    page.get_by_role("link", name=order.reference, exact=False).first.click()
    page.get_by_role("button", name="Commencer l'intervention").click()
    section = page.locator("#couts")
    section.get_by_text("Saisir du temps").click()
    section.get_by_label("Temps passé").fill("2,5")
    section.get_by_role("button", name="Enregistrer le temps").click()
    expect(section).to_contain_text("96,00\u00a0€")
    for search, quantity, label in (("joint", "2", "Joint fibre 20/27"), ("flexible", "1", "Flexible inox 50 cm")):
        if not section.get_by_label("Rechercher un article").is_visible():
            section.get_by_text("Ajouter du matériel").click()
        # Typed key by key, as a person does: a single `fill` right after the section was swapped in
        # could land before htmx had bound the field, and no search would start.
        section.get_by_label("Rechercher un article").press_sequentially(search, delay=60)
        expect(section.locator("#materiel-q-resultat")).to_have_text("1 article trouvé.")
        section.get_by_label("Quantité").fill(quantity)
        section.get_by_role("button", name="Ajouter le matériel").click()
        expect(section.locator("[data-costs-notice]")).to_contain_text(label)
    expect(section.locator("table.cost-summary")).to_contain_text("110,10\u00a0€")
    page.get_by_role("button", name="Marquer comme terminé").click()
    expect(page.locator("main")).to_contain_text("Terminé")
    page.get_by_role("button", name="Se déconnecter").click()

    # 4. Karim validates from « À valider ».
    browser_login(page, "chef.epci")
    page.goto("/bons/a-valider/")
    row = page.locator("tr", has_text=order.reference)
    expect(row).to_contain_text("2\u00a0h\u00a030")
    expect(row).to_contain_text("110,10\u00a0€")
    row.get_by_role("button", name="Valider").click()
    expect(page.locator("main")).to_contain_text(f"{order.reference} : « Validé (clos) »")
    expect(page.locator("main")).to_contain_text("Aucun bon terminé n’attend de validation.")
    with scopes_disabled():
        order.refresh_from_db()
        assert order.status == WorkOrder.Status.VALIDATED
        assert (order.labour_cost, order.material_cost, order.total_cost) == (
            Decimal("96.00"),
            Decimal("14.10"),
            EXPECTED_TOTAL,
        )
    page.get_by_role("button", name="Se déconnecter").click()

    # 5. The commune's property manager sees the cost on the building and in the commune's totals.
    browser_login(page, "gestionnaire.nesmy")
    page.goto(f"/patrimoine/batiments/{school.pk}/")
    expect(page.locator("main")).to_contain_text("110,10\u00a0€")
    page.goto("/couts/")
    expect(page.locator(".stats")).to_contain_text("110,10\u00a0€")
    expect(page.locator("main")).to_contain_text("École élémentaire Jules Ferry")
    expect(page.locator("main")).not_to_contain_text("Mairie de Venansault")
