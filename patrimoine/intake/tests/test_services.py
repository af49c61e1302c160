"""Filing and triaging requests through the services, as each role would."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.models import AuditEntry
from patrimoine.documents.models import Document
from patrimoine.intake import services
from patrimoine.intake.models import RequesterBuilding, Urgency, WorkRequest
from patrimoine.intake.tests.conftest import acting, jpeg, not_an_image, pdf
from patrimoine.workorders.models import InterventionReport, WorkOrder

pytestmark = pytest.mark.django_db
Status = WorkRequest.Status
PARIS = ZoneInfo("Europe/Paris")


def file_request(user, org=None, **kwargs):
    kwargs.setdefault("description", "Fuite sous l'évier de la cantine, l'eau coule par terre")
    kwargs.setdefault("urgency", Urgency.URGENT)
    with acting(user, org) as access:
        return services.work_request_create(access=access, **kwargs)


def counts():
    with scopes_disabled():
        return WorkRequest.objects.count(), Document.objects.count(), WorkOrder.objects.count()


# --- Filing -------------------------------------------------------------------------------------


def test_requester_files_a_request_with_a_photo_and_gets_a_numbered_acknowledgement(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = file_request(world.nadia, building=world.school, photos=[jpeg()], site_url="https://sip.example.fr/")

    assert request.reference.startswith("DI-") and request.reference.endswith("-000001")
    assert request.organisation == world.nesmy and request.site == world.school.site
    assert request.status == Status.NEW and request.requested_by == world.nadia
    assert request.suggested_trade.code == "plomberie"
    with scopes_disabled():
        photo = Document.objects.get()
        assert photo.target == request and photo.kind == Document.Kind.PHOTO
        assert AuditEntry.objects.filter(action="work_request.create", target_id=str(request.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["demandeur.nesmy@example.org"]
    assert request.reference in message.subject and request.reference in message.body
    assert "technique@nesmy.example.fr" in message.body and "02 51 00 00 01" in message.body
    assert f"https://sip.example.fr/demandes/{request.pk}/" in message.body
    assert "&#x27;" not in message.body  # plain text, not HTML-escaped


def test_acknowledgement_goes_to_the_address_given_at_the_counter(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(
            world.claire,
            location_text="Rue des Tilleuls, devant le n° 12",
            description="Lampadaire éteint depuis trois jours",
            channel=WorkRequest.Channel.COUNTER,
            requester_name="M. Martin",
            requester_email="martin@example.net",
        )
    assert [m.to for m in mail.outbox] == [["martin@example.net"]]


def test_acknowledgement_is_not_sent_when_the_request_is_rolled_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        file_request(world.nadia, building=world.school, photos=[jpeg(), not_an_image()])
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"description": "   "}, "Décrivez le problème"),
        ({"building": None, "location_text": ""}, "Indiquez le lieu"),
        ({"urgency": "tres-urgent"}, "urgence"),
        ({"photos": [jpeg(), not_an_image()]}, "n'est ni une image"),
        ({"photos": [pdf()]}, "n'est pas une photo"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_created(world, kwargs, message):
    kwargs = {"building": world.school, **kwargs}
    with pytest.raises(DomainError, match=message):
        file_request(world.nadia, **kwargs)
    assert counts() == (0, 0, 0)
    with scopes_disabled():
        assert not AuditEntry.objects.exists()


def test_a_refused_photo_among_good_ones_stores_no_file(world, settings):
    with pytest.raises(DomainError):
        file_request(world.nadia, building=world.school, photos=[jpeg("a.jpg"), jpeg("b.jpg"), not_an_image()])
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_requester_cannot_file_for_another_communes_building(world):
    with pytest.raises(PermissionRefused):
        file_request(world.nadia, building=world.gym)
    assert counts() == (0, 0, 0)


def test_equipment_of_another_building_is_refused(world, f):
    boiler = f.equipment(world.town_hall)
    with pytest.raises(DomainError, match="ne se trouve pas dans ce bâtiment"):
        file_request(world.nadia, building=world.school, equipment=boiler)
    assert counts() == (0, 0, 0)


def test_reader_cannot_file_a_request(world, f):
    reader = f.user(role="lecteur", organisation=world.nesmy)
    with pytest.raises(PermissionRefused):
        file_request(reader, building=world.school)
    assert counts() == (0, 0, 0)


def test_filing_for_a_building_remembers_it_for_the_requester(world):
    file_request(world.paul, building=world.town_hall)
    file_request(world.paul, building=world.town_hall)
    with scopes_disabled():
        assert list(RequesterBuilding.objects.filter(user=world.paul).values_list("building", flat=True)) == [
            world.town_hall.pk
        ]


def test_shared_team_lead_files_for_a_served_commune_and_the_request_belongs_to_it(world):
    request = file_request(world.karim, world.epci, building=world.gym)
    assert request.organisation == world.venansault
    assert request.reference.endswith("-000001")


# --- Trade suggestion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "trade"),
    [
        ("fuite sous l'évier de la cantine, l'eau coule par terre", "plomberie"),
        ("Le WC du 1er étage est bouché", "plomberie"),
        ("Le toit fuit au-dessus de la classe de CP", "couverture"),
        ("Infiltration par le plafond quand il pleut", "couverture"),
        ("Une TUILE est tombée dans la cour", "couverture"),
        ("Plus de LUMIÈRE dans le couloir, le disjoncteur saute", "electricite"),
        ("Néon qui clignote dans la salle 3", "electricite"),
        ("Vitre cassée à la fenêtre de la bibliothèque", "vitrerie"),
        ("carreau cassé porte d'entrée", "vitrerie"),
        ("La serrure de la porte du local ménage est bloquée", "serrurerie"),
        ("Il fait froid, les radiateurs sont tièdes, la chaudière est en défaut", "cvc"),
        ("Tag sur le mur du préau", "peinture"),
        ("Le bureau du directeur est encombré de cartons", None),
    ],
)
def test_trade_is_suggested_from_french_keywords(world, description, trade):
    suggestion = services.suggest_trade(description, None)
    assert (suggestion.code if suggestion else None) == trade


def test_equipment_category_trade_comes_before_keywords(world, f):
    boiler = f.equipment(world.school, category=f.category("cvc-chauffage"))
    assert services.suggest_trade("Fuite d'eau sous la chaudière", boiler).code == "cvc"


# --- Triage -------------------------------------------------------------------------------------


def accept(user, org, request, **kwargs):
    with acting(user, org) as access:
        return services.work_request_accept(access=access, work_request=request, **kwargs)


def test_accept_creates_the_work_order_with_suggested_trade_and_priority(world, django_capture_on_commit_callbacks):
    request = file_request(world.nadia, building=world.school)
    with django_capture_on_commit_callbacks(execute=True):
        accept(world.karim, world.epci, request)

    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.triaged_by == world.karim
    with scopes_disabled():
        order = WorkOrder.objects.get()
    assert request.work_order == order
    assert order.organisation == world.nesmy  # the cost lands on the commune
    assert order.trade.code == "plomberie" and order.priority == WorkOrder.Priority.URGENT
    assert order.building == world.school and order.site == world.school.site
    assert order.title == "Fuite sous l'évier de la cantine, l'eau coule par terre"
    assert order.status == WorkOrder.Status.TO_PLAN
    assert [m.to for m in mail.outbox] == [["demandeur.nesmy@example.org"]]
    assert "acceptée" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("urgency", "priority"),
    [
        (Urgency.URGENT, WorkOrder.Priority.URGENT),
        (Urgency.NORMAL, WorkOrder.Priority.NORMAL),
        (Urgency.LOW, WorkOrder.Priority.LOW),
    ],
)
def test_priority_follows_the_urgency(world, urgency, priority):
    request = file_request(world.nadia, building=world.school, urgency=urgency)
    accept(world.karim, world.epci, request)
    assert request.work_order.priority == priority


def test_accept_with_corrections_plans_the_team_slot(world, f):
    request = file_request(world.nadia, building=world.school, description="Le plafond goutte dans la classe")
    roofing = f.trade("couverture")
    start = datetime(2026, 3, 3, 8, 0, tzinfo=PARIS)
    accept(
        world.karim,
        world.epci,
        request,
        trade=roofing,
        priority=WorkOrder.Priority.HIGH,
        team=world.team,
        technicians=[world.ahmed],
        planned_start=start,
    )
    order = request.work_order
    with scopes_disabled():
        order.refresh_from_db()
        assert list(order.technicians.all()) == [world.ahmed]
    assert (order.trade, order.priority, order.team, order.status) == (
        roofing,
        WorkOrder.Priority.HIGH,
        world.team,
        WorkOrder.Status.PLANNED,
    )
    assert order.planned_start == start
    assert request.trade == roofing


def test_accept_refused_when_planning_fails_changes_nothing(world, f):
    request = file_request(world.nadia, building=world.school)
    stranger = f.user(role="technicien", organisation=world.epci)
    with pytest.raises(DomainError, match="ne fait pas partie"):
        accept(world.karim, world.epci, request, team=world.team, technicians=[stranger])
    request.refresh_from_db()
    assert request.status == Status.NEW and request.work_order_id is None
    assert counts()[2] == 0


def test_accept_without_any_trade_asks_for_one(world):
    request = file_request(world.nadia, building=world.school, description="Quelque chose ne va pas")
    assert request.suggested_trade is None
    with pytest.raises(DomainError, match="corps de métier"):
        accept(world.karim, world.epci, request)
    assert counts()[2] == 0


def test_shared_team_lead_cannot_triage_a_commune_his_team_does_not_serve(world):
    request = file_request(world.aubigny_lead, building=world.aubigny_school)
    with pytest.raises(PermissionRefused):
        accept(world.karim, world.epci, request)
    request.refresh_from_db()
    assert request.status == Status.NEW and counts()[2] == 0


def test_requester_cannot_triage_even_her_own_request(world):
    request = file_request(world.nadia, building=world.school)
    with acting(world.nadia) as access:
        for action in (
            lambda: services.work_request_accept(access=access, work_request=request),
            lambda: services.work_request_reject(access=access, work_request=request, reason="non"),
        ):
            with pytest.raises(PermissionRefused):
                action()
    request.refresh_from_db()
    assert (request.status, request.work_order_id, request.rejection_reason) == (Status.NEW, None, "")
    assert counts()[2] == 0


def test_a_request_cannot_be_triaged_twice(world):
    request = file_request(world.nadia, building=world.school)
    accept(world.karim, world.epci, request)
    stale = WorkRequest(pk=request.pk, organisation=world.nesmy, status=Status.NEW)
    with pytest.raises(DomainError, match="déjà été triée"):
        accept(world.claire, world.nesmy, stale)
    assert counts()[2] == 1


def test_reject_needs_a_reason_and_tells_the_requester(world, django_capture_on_commit_callbacks):
    request = file_request(world.nadia, building=world.school)
    with acting(world.karim, world.epci) as access:
        with pytest.raises(DomainError, match="motif"):
            services.work_request_reject(access=access, work_request=request, reason="  ")
        request.refresh_from_db()
        assert request.status == Status.NEW
        with django_capture_on_commit_callbacks(execute=True):
            services.work_request_reject(access=access, work_request=request, reason="Relève du bailleur")
    request.refresh_from_db()
    assert request.status == Status.REJECTED and request.rejection_reason == "Relève du bailleur"
    assert "Relève du bailleur" in mail.outbox[-1].body


def test_merge_makes_the_duplicate_follow_the_masters_work_order(world, django_capture_on_commit_callbacks):
    master = file_request(world.nadia, building=world.school, description="Vitre cassée en salle 2")
    duplicate = file_request(world.paul, building=world.school, description="Carreau cassé salle 2")
    accept(world.karim, world.epci, master)
    with acting(world.karim, world.epci) as access, django_capture_on_commit_callbacks(execute=True):
        services.work_request_merge(access=access, work_request=duplicate, into=master)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.duplicate_of == master
    assert duplicate.work_order == master.work_order
    assert mail.outbox[-1].to == ["paul.nesmy@example.org"] and master.reference in mail.outbox[-1].body


def test_requests_merged_before_acceptance_follow_the_work_order_later(world):
    master = file_request(world.nadia, building=world.school)
    duplicate = file_request(world.paul, building=world.school)
    with acting(world.karim, world.epci) as access:
        services.work_request_merge(access=access, work_request=duplicate, into=master)
    accept(world.karim, world.epci, master)
    duplicate.refresh_from_db()
    assert duplicate.work_order == master.work_order is not None


def test_merge_chains_are_flattened(world):
    a = file_request(world.nadia, building=world.school)
    b = file_request(world.paul, building=world.school)
    c = file_request(world.nadia, building=world.school)
    with acting(world.karim, world.epci) as access:
        services.work_request_merge(access=access, work_request=c, into=b)
        services.work_request_merge(access=access, work_request=b, into=a)
    c.refresh_from_db()
    assert c.duplicate_of == a


@pytest.mark.parametrize("case", ["itself", "other-commune", "merged", "rejected"])
def test_merge_is_refused_into_an_unsuitable_request_and_changes_nothing(world, case):
    request = file_request(world.nadia, building=world.school)
    if case == "itself":
        into = request
    elif case == "other-commune":
        into = file_request(world.victor, building=world.gym)
    else:
        into = file_request(world.paul, building=world.school)
        other = file_request(world.paul, building=world.school)
        with acting(world.karim, world.epci) as access:
            if case == "merged":
                services.work_request_merge(access=access, work_request=into, into=other)
            else:
                services.work_request_reject(access=access, work_request=into, reason="Doublon")
    with acting(world.karim, world.epci) as access, pytest.raises(DomainError):
        services.work_request_merge(access=access, work_request=request, into=into)
    request.refresh_from_db()
    assert request.status == Status.NEW and request.duplicate_of_id is None


# --- Progress -----------------------------------------------------------------------------------


def progress_of(request):
    from patrimoine.intake.selectors import get_work_request_for

    with acting(request.requested_by) as access:
        return get_work_request_for(access, request.pk)


def test_progress_texts_follow_the_work_order(world, f):
    from patrimoine.intake.selectors import request_progress

    request = file_request(world.nadia, building=world.school)
    assert str(request_progress(progress_of(request))) == "Reçue — en attente de tri"

    accept(world.karim, world.epci, request)
    assert str(request_progress(progress_of(request))) == "Acceptée — intervention à planifier"

    order = request.work_order
    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(
            status=WorkOrder.Status.PLANNED, team=world.team, planned_start=datetime(2026, 3, 3, 8, 30, tzinfo=PARIS)
        )
    text = str(request_progress(progress_of(request)))
    assert text.startswith("Planifiée — mardi 3 mars") and text.endswith("matin, équipe Régie bâtiment")

    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.IN_PROGRESS)
    assert str(request_progress(progress_of(request))) == "En cours"

    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(
            status=WorkOrder.Status.SUSPENDED, suspension_reason=WorkOrder.SuspensionReason.PARTS
        )
    assert str(request_progress(progress_of(request))) == "Suspendue — en attente de pièces"

    with scopes_disabled():
        WorkOrder.objects.filter(pk=order.pk).update(
            status=WorkOrder.Status.DONE, suspension_reason="", completed_at=datetime(2026, 3, 4, 15, 0, tzinfo=PARIS)
        )
        InterventionReport.objects.create(
            organisation=world.nesmy, work_order=order, notes="Siphon remplacé, plus de fuite."
        )
    progress = request_progress(progress_of(request))
    assert progress.text.startswith("Terminée — mercredi 4 mars")
    assert progress.note == "Siphon remplacé, plus de fuite."


def test_progress_of_rejected_and_merged_requests(world):
    from patrimoine.intake.selectors import request_progress

    master = file_request(world.nadia, building=world.school)
    duplicate = file_request(world.paul, building=world.school)
    rejected = file_request(world.paul, building=world.town_hall)
    with acting(world.karim, world.epci) as access:
        services.work_request_merge(access=access, work_request=duplicate, into=master)
        services.work_request_reject(access=access, work_request=rejected, reason="Relève du bailleur")
    assert str(request_progress(progress_of(rejected))) == "Rejetée — Relève du bailleur"
    assert str(request_progress(progress_of(duplicate))) == (
        f"Fusionnée avec {master.reference} — Reçue — en attente de tri"
    )


def test_work_order_title_is_the_first_words_of_the_description():
    assert services.work_order_title("fuite sous l'évier") == "Fuite sous l'évier"
    long = "la porte du gymnase ne ferme plus depuis lundi soir malgré plusieurs essais de la gardienne"
    assert services.work_order_title(long) == "La porte du gymnase ne ferme plus depuis lundi soir…"
