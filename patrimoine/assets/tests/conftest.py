"""A small agglomeration for the asset tests: two member communes and people with each role."""

from dataclasses import dataclass

import pytest

from patrimoine.organisations.models import Membership, Organisation

Role = Membership.Role


@dataclass
class World:
    epci: Organisation
    nesmy: Organisation
    venansault: Organisation
    claire: object  # gestionnaire de patrimoine, Nesmy
    nadia: object  # demandeur, Nesmy
    lecteur: object  # élue, Nesmy
    prestataire: object  # contractor user, Nesmy
    gestionnaire_venansault: object
    school: object  # a building of Nesmy
    gym: object  # a building of Venansault


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    company = f.contractor(nesmy, "Plomberie Martin")
    school_site = f.site(nesmy, "Groupe scolaire Jules Ferry", city="Nesmy", code="GS-JF")
    gym_site = f.site(venansault, "Complexe sportif", city="Venansault", code="CS")
    return World(
        epci=epci,
        nesmy=nesmy,
        venansault=venansault,
        claire=f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy),
        nadia=f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=nesmy),
        lecteur=f.user("lecteur.nesmy", role=Role.READER, organisation=nesmy),
        prestataire=f.user("prestataire.nesmy", role=Role.CONTRACTOR, organisation=nesmy, contractor=company),
        gestionnaire_venansault=f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=venansault),
        school=f.building(
            nesmy,
            "École élémentaire Jules Ferry",
            site_obj=school_site,
            code="ECOLE-JF",
            address="3 rue des Écoles",
            postal_code="85310",
            city="Nesmy",
        ),
        gym=f.building(
            venansault,
            "Gymnase des Acacias",
            site_obj=gym_site,
            code="GYM-AC",
            address="12 rue des Acacias",
            postal_code="85190",
            city="Venansault",
        ),
    )
