"""A small world for the work-order pages: an EPCI whose shared team serves Nesmy, a commune it
does not serve (Venansault), and another agglomeration whose people must never see any of it."""

from types import SimpleNamespace

import pytest

from patrimoine.organisations.models import Membership

Role = Membership.Role


@pytest.fixture
def world(f):
    epci, (nesmy, venansault) = f.epci_with_communes("Nesmy", "Venansault")
    chef = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="Haddad")
    ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed", last_name="Benali")
    bruno = f.user("technicien2.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Bruno", last_name="Morel")
    team = f.team(epci, "Régie bâtiment", lead=chef, members=[ahmed, bruno], serves=[nesmy])
    plumbing = f.trade("plomberie", "Plomberie")
    school = f.building(nesmy, "École Jules Ferry")
    other_epci, (elsewhere,) = f.epci_with_communes("Ailleurs")
    return SimpleNamespace(
        epci=epci,
        nesmy=nesmy,
        venansault=venansault,
        chef=chef,
        ahmed=ahmed,
        bruno=bruno,
        team=team,
        plumbing=plumbing,
        school=school,
        other_epci=other_epci,
        elsewhere=elsewhere,
        manager_nesmy=f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy),
        manager_venansault=f.user("gestionnaire.venansault", role=Role.MANAGER, organisation=venansault),
        reader_nesmy=f.user("lecteur.nesmy", role=Role.READER, organisation=nesmy),
    )


def outsiders(f, world):
    """One user per role in another agglomeration (and its commune): none may see the world's orders."""
    people = []
    for role in Role.values:
        org = world.other_epci if role in (Role.ADMIN, Role.READER, Role.TEAM_LEAD) else world.elsewhere
        contractor = f.contractor(org) if role == Role.CONTRACTOR else None
        user = f.user(f"{role}.ailleurs", role=role, organisation=org, contractor=contractor)
        if role in (Role.TEAM_LEAD, Role.TECHNICIAN):
            f.team(
                org,
                f"Équipe {role}",
                lead=user if role == Role.TEAM_LEAD else None,
                members=[user] if role == Role.TECHNICIAN else [],
                serves=[world.elsewhere],
            )
        people.append((role, user, org))
    return people
