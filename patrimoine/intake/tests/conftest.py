"""A small mutualised world for the request tests, and helpers to act as a user."""

import io
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from PIL import Image

from conftest import access_of
from patrimoine.intake.models import RequesterBuilding
from patrimoine.organisations.models import Membership
from patrimoine.testing import factories

Role = Membership.Role


@contextmanager
def acting(user, organisation=None):
    """Open the scope a request by `user` would get and yield his Access (as the middleware does)."""
    access = access_of(user, organisation)
    with scope(organisation=sorted(access.read_org_ids)):
        yield access


def jpeg(name: str = "fuite.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"ceci n'est pas une image, juste du texte", content_type="image/jpeg")


def pdf(name: str = "devis.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class World:
    epci: object
    nesmy: object
    venansault: object
    aubigny: object
    school: object  # Nesmy
    town_hall: object  # Nesmy
    gym: object  # Venansault
    aubigny_school: object
    nadia: object  # requester, Nesmy, reports for the school
    paul: object  # another requester of Nesmy
    victor: object  # requester of Venansault
    karim: object  # lead of the EPCI's shared team (serves Nesmy and Venansault, not Aubigny)
    ahmed: object  # technician of the shared team
    team: object
    claire: object  # property manager of Nesmy
    aubigny_lead: object  # team lead of Aubigny's own team


@pytest.fixture
def world(db) -> World:
    f = factories
    epci, (nesmy, venansault, aubigny) = f.epci_with_communes("Nesmy", "Venansault", "Aubigny")
    with scopes_disabled():
        for org, phone in ((nesmy, "02 51 00 00 01"), (venansault, "02 51 00 00 02"), (aubigny, "02 51 00 00 03")):
            org.email = f"technique@{org.slug}.example.fr"
            org.phone = phone
            org.save()
        school = f.building(nesmy, "École Jules Ferry", city="Nesmy")
        town_hall = f.building(nesmy, "Mairie de Nesmy")
        gym = f.building(venansault, "Salle de sport de Venansault")
        aubigny_school = f.building(aubigny, "École d'Aubigny")
        nadia = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=nesmy, first_name="Nadia", last_name="B.")
        paul = f.user("paul.nesmy", role=Role.REQUESTER, organisation=nesmy)
        victor = f.user("demandeur.venansault", role=Role.REQUESTER, organisation=venansault)
        karim = f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci, first_name="Karim", last_name="L.")
        ahmed = f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci, first_name="Ahmed")
        claire = f.user("gestionnaire.nesmy", role=Role.MANAGER, organisation=nesmy)
        aubigny_lead = f.user("chef.aubigny", role=Role.TEAM_LEAD, organisation=aubigny)
        team = f.team(epci, "Régie bâtiment", members=[ahmed], lead=karim, serves=[nesmy, venansault])
        f.team(aubigny, "Atelier d'Aubigny", lead=aubigny_lead)
        RequesterBuilding.objects.create(organisation=nesmy, user=nadia, building=school)
    return World(
        epci, nesmy, venansault, aubigny, school, town_hall, gym, aubigny_school,
        nadia, paul, victor, karim, ahmed, team, claire, aubigny_lead,
    )  # fmt: skip
