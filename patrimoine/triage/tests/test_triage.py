"""The triage assistant as the team lead and the administrator meet it."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from patrimoine.costs.models import TimeEntry
from patrimoine.intake import services as intake_services
from patrimoine.intake.models import Urgency, WorkRequest
from patrimoine.intake.tests.conftest import acting, world  # noqa: F401 — the fixture
from patrimoine.organisations.models import Membership, Trade
from patrimoine.triage import engine, selectors, services
from patrimoine.triage.models import OrganisationModel, Suggestion
from patrimoine.triage.tasks import train_organisation_model
from patrimoine.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
Status = WorkRequest.Status


def file_request(user, description, **kwargs):
    kwargs.setdefault("urgency", Urgency.NORMAL)
    with acting(user) as access:
        return intake_services.work_request_create(access=access, description=description, **kwargs)


def suggestion_of(request):
    with scopes_disabled():
        return Suggestion.objects.select_related("trade", "decided_trade").get(work_request=request)


def lead(login, world):  # noqa: F811
    return login(world.karim, world.epci)


# --- Suggestions ----------------------------------------------------------------------------------


def test_a_new_request_gets_trade_priority_and_place_suggestions_with_why(world, f, login):  # noqa: F811
    with scopes_disabled():
        toilets = f.space(f.level(world.school), "Toilettes filles")
        f.space(f.level(world.school, "Étage", 1), "Classe de CP")
    request = file_request(world.nadia, "la chasse d'eau des toilettes filles fuit", building=world.school)
    suggestion = suggestion_of(request)
    assert suggestion.trade.code == "plomberie" and suggestion.trade_confidence > 0.5
    assert "chasse" in suggestion.trade_why or "eau" in suggestion.trade_why
    assert suggestion.space == toilets and "toilettes" in suggestion.place_why
    assert suggestion.priority == WorkOrder.Priority.NORMAL and suggestion.cpu_ms > 0

    client = lead(login, world)
    for url in (reverse("intake:detail", args=[request.pk]), reverse("intake:accept", args=[request.pk])):
        html = client.get(url).content.decode()
        assert "Suggestion de l’assistant" in html and "Plomberie" in html and "parce que" in html
        assert "Toilettes filles" in html and "Accepter la suggestion" in html
    # The requester follows his request; he does not see the assistant.
    assert (
        "Suggestion de l’assistant"
        not in login(world.nadia).get(reverse("intake:detail", args=[request.pk])).content.decode()
    )


def test_low_confidence_says_i_do_not_know_instead_of_guessing(world, login):  # noqa: F811
    request = file_request(world.nadia, "Quelque chose ne va pas", building=world.school)
    assert request.suggested_trade is None and suggestion_of(request).trade is None
    html = lead(login, world).get(reverse("intake:detail", args=[request.pk])).content.decode()
    assert "Je ne sais pas" in html and "Accepter la suggestion" not in html


def test_accepting_the_suggestion_in_one_click_is_recorded(world, login):  # noqa: F811
    request = file_request(world.nadia, "Plus de lumière dans le couloir du 1er", building=world.school)
    suggestion = suggestion_of(request)
    response = lead(login, world).post(
        reverse("intake:accept", args=[request.pk]),
        {"trade": suggestion.trade.pk, "priority": suggestion.priority},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.outcome == Suggestion.Outcome.ACCEPTED
    assert suggestion.trade_accepted is True and suggestion.priority_accepted is True
    assert suggestion.decided_by == world.karim and suggestion.decided_trade.code == "electricite"


def test_a_correction_is_recorded_and_becomes_training_data(world, login, f):  # noqa: F811
    request = file_request(world.nadia, "Le plafond goutte dans la classe", building=world.school)
    roofing = Trade.objects.get(code="couverture")
    plumbing = Trade.objects.get(code="plomberie")
    chosen = plumbing if suggestion_of(request).trade == roofing else roofing
    lead(login, world).post(
        reverse("intake:accept", args=[request.pk]), {"trade": chosen.pk, "priority": WorkOrder.Priority.URGENT}
    )
    suggestion = suggestion_of(request)
    assert suggestion.outcome == Suggestion.Outcome.CORRECTED and suggestion.trade_accepted is False
    assert suggestion.decided_trade == chosen and suggestion.decided_priority == WorkOrder.Priority.URGENT
    assert ("Le plafond goutte dans la classe", chosen.code, "urgente") in selectors.history_rows(world.nesmy.pk)


# --- The organisation's own model -----------------------------------------------------------------


def _history(f, org, building, count=30):
    """A commune calls its modular classrooms « zorglubs » and sends their faults to the lift company."""
    lifts = Trade.objects.get(code="ascenseurs")
    with scopes_disabled():
        for i in range(count):
            order = f.work_order(org, trade_obj=lifts, building_obj=building, title=f"Zorglub {i}")
            f.work_request(
                org,
                building_obj=building,
                description=f"le zorglub numéro {i} est encore coincé côté {['cour', 'rue', 'parc'][i % 3]}",
                status=Status.ACCEPTED,
                trade=lifts,
                work_order=order,
            )


def test_training_on_the_organisation_history_changes_its_model(world, f, monkeypatch):  # noqa: F811
    _history(f, world.nesmy, world.school)
    before, source = selectors.predict(world.nesmy.pk, "le zorglub est coincé")
    assert source == "starter" and before.trade.label != "ascenseurs"

    small_corpus = engine.corpus_rows()[::6]  # keep the test's training short
    monkeypatch.setattr(services, "corpus_rows", lambda: small_corpus)
    result = train_organisation_model.call(organisation_id=world.nesmy.pk)  # what the worker does
    assert result["trained"] is True and result["history"] >= 30

    after, source = selectors.predict(world.nesmy.pk, "le zorglub est coincé")
    assert source == "organisation" and after.trade.label == "ascenseurs"
    with scopes_disabled():
        row = OrganisationModel.objects.get(organisation=world.nesmy)
    assert row.status == OrganisationModel.Status.TRAINED and 0 < row.size_bytes < 20 * 1024 * 1024
    assert row.metrics["top1_accuracy"] is not None and row.training_seconds > 0
    # Another commune keeps the starter model.
    assert selectors.predict(world.venansault.pk, "le zorglub est coincé")[1] == "starter"


def test_a_short_history_keeps_the_starter_model(world):  # noqa: F811
    assert services.organisation_model_train(world.nesmy.pk) == {"trained": False, "history": 0}
    assert selectors.model_for(world.nesmy.pk)[1] == "starter"


def test_the_administrator_queues_a_training_from_the_page(world, f, login, django_capture_on_commit_callbacks):  # noqa: F811
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=world.nesmy)
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("triage:train")).status_code == 302
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"organisation_id": world.nesmy.pk}
    html = client.get(reverse("triage:overview")).content.decode()
    for figure in ("Taille du modèle", "Temps CPU par suggestion", "Énergie par suggestion", "Justesse du métier"):
        assert figure in html


def test_the_figures_page_is_for_administrators_and_managers_only(world, f, login):  # noqa: F811
    assert login(world.karim, world.epci).get(reverse("triage:overview")).status_code == 403
    assert login(world.nadia).get(reverse("triage:overview")).status_code == 403
    assert login(world.claire).get(reverse("triage:overview")).status_code == 200
    assert login(world.claire).post(reverse("triage:switch"), {"enabled": "0"}).status_code == 403
    assert selectors.ai_enabled(world.nesmy.pk)


# --- Switching AI off -----------------------------------------------------------------------------


def test_switching_ai_off_removes_every_suggestion(world, f, login):  # noqa: F811
    first = file_request(world.nadia, "porte du gymnase qui ferme mal", building=world.school)
    second = file_request(world.paul, "la porte du gymnase ferme mal depuis hier", building=world.school)
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=world.nesmy)
    other_admin = f.user("admin.venansault", role=Membership.Role.ADMIN, organisation=world.venansault)
    gym_request = file_request(world.victor, "porte du gymnase qui ferme mal", building=world.gym)

    assert login(admin).post(reverse("triage:switch"), {"enabled": "0"}).status_code == 302
    assert not selectors.ai_enabled(world.nesmy.pk) and selectors.ai_enabled(world.venansault.pk)
    third = file_request(world.nadia, "fuite d'eau sous l'évier", building=world.school)
    with scopes_disabled():
        assert third.suggested_trade is None and not Suggestion.objects.filter(work_request=third).exists()

    client = lead(login, world)
    for request in (first, second, third):
        request.refresh_from_db()
        assert request.suggested_trade is None
        for url in (reverse("intake:detail", args=[request.pk]), reverse("intake:accept", args=[request.pk])):
            html = client.get(url).content.decode()
            assert "Suggestion de l’assistant" not in html and "Doublons probables" not in html
            assert "Suggestion :" not in html
    listing = client.get(reverse("intake:list")).content.decode()
    for request in (first, second):
        row = listing.split(f'id="request-{request.pk}"')[1].split("</tr>")[0]
        assert "Pas de suggestion" in row and "Serrurerie" not in row
    assert selectors.estimate_for(world.nesmy.pk, Trade.objects.get(code="plomberie").pk, "fuite") is None
    # The other commune keeps its assistant.
    assert "Suggestion de l’assistant" in client.get(reverse("intake:detail", args=[gym_request.pk])).content.decode()
    login(other_admin)

    login(admin).post(reverse("triage:switch"), {"enabled": "1"})
    first.refresh_from_db()
    assert first.suggested_trade.code == "serrurerie"
    assert (
        "Suggestion de l’assistant"
        in lead(login, world).get(reverse("intake:detail", args=[first.pk])).content.decode()
    )


def test_a_bad_switch_value_changes_nothing(world, f, login):  # noqa: F811
    admin = f.user("admin.nesmy", role=Membership.Role.ADMIN, organisation=world.nesmy)
    response = login(admin).post(reverse("triage:switch"), {"enabled": "peut-être"}, follow=True)
    assert "Choix invalide" in response.content.decode() and selectors.ai_enabled(world.nesmy.pk)


# --- Duplicates -----------------------------------------------------------------------------------


def test_probable_duplicates_are_shown_and_merged_in_one_click(world, login):  # noqa: F811
    first = file_request(world.nadia, "La porte du gymnase ferme mal", building=world.school)
    unrelated = file_request(world.paul, "Tag sur le mur du préau", building=world.school)
    elsewhere = file_request(world.paul, "La porte du gymnase ferme mal", building=world.town_hall)
    second = file_request(world.paul, "porte du gymnase qui ferme mal depuis hier", building=world.school)

    client = lead(login, world)
    html = client.get(reverse("intake:detail", args=[second.pk])).content.decode()
    section = html.split("Doublons probables")[1]
    assert first.reference in section
    assert unrelated.reference not in section and elsewhere.reference not in section
    response = client.post(reverse("intake:merge", args=[second.pk]), {"into": first.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
    assert suggestion_of(second).outcome == Suggestion.Outcome.MERGED


def test_nearby_requests_without_a_building_are_duplicates_too(world):  # noqa: F811
    with scopes_disabled():
        a = file_request(world.nadia, "Lampadaire éteint devant le n°8", location_text="rue des Lilas")
        b = file_request(world.paul, "le lampadaire devant le 8 est éteint", location_text="rue des Lilas, n°8")
        far = file_request(world.paul, "lampadaire éteint devant le n°8", location_text="route de Nantes")
        WorkRequest.objects.filter(pk=a.pk).update(latitude=Decimal("46.600000"), longitude=Decimal("-1.300000"))
        WorkRequest.objects.filter(pk=b.pk).update(latitude=Decimal("46.600500"), longitude=Decimal("-1.300500"))
        WorkRequest.objects.filter(pk=far.pk).update(latitude=Decimal("46.700000"), longitude=Decimal("-1.300000"))
        b.refresh_from_db()
    with acting(world.karim, world.epci) as access:
        found = [d.request for d in selectors.probable_duplicates(access, b)]
    assert found == [a]


# --- Estimates ------------------------------------------------------------------------------------


def test_duration_and_cost_are_estimated_from_similar_validated_jobs(world, f, login):  # noqa: F811
    plumbing = Trade.objects.get(code="plomberie")
    with scopes_disabled():
        for hours, cost in ((1, "80"), (2, "120"), (2, "150"), (3, "200"), (6, "400")):
            order = f.work_order(
                world.nesmy,
                title="Fuite sous évier",
                description="Fuite d'eau sous l'évier, joint changé",
                trade_obj=plumbing,
                status=WorkOrder.Status.VALIDATED,
                labour_cost=Decimal(cost),
                total_cost=Decimal(cost),
            )
            TimeEntry.objects.create(
                organisation=world.nesmy,
                work_order=order,
                technician=world.ahmed,
                date=date(2026, 3, 2),
                hours=Decimal(hours),
                hourly_rate=Decimal("40"),
                amount=Decimal(cost),
            )
        f.work_order(
            world.venansault,
            trade_obj=plumbing,
            status=WorkOrder.Status.VALIDATED,
            labour_cost=Decimal("9"),
            total_cost=Decimal("9"),
        )
    estimate = selectors.estimate_for(world.nesmy.pk, plumbing.pk, "fuite sous l'évier de la cantine")
    assert estimate.jobs == 5
    assert estimate.hours == (2.0, 2.0, 3.0)
    assert estimate.cost == (Decimal("120.0"), Decimal("150.0"), Decimal("200.0"))

    request = file_request(world.nadia, "fuite sous l'évier de la cantine", building=world.school)
    html = lead(login, world).get(reverse("intake:detail", args=[request.pk])).content.decode()
    assert "D’après 5 interventions semblables validées" in html and "de 2.0 à 3.0 h" in html.replace(",", ".")

    # The open work order's page shows the same range to those who plan.
    open_order = f.work_order(world.nesmy, title="Fuite sous l'évier de la cantine", trade_obj=plumbing)
    page = login(world.claire).get(reverse("workorders:detail", args=[open_order.pk])).content.decode()
    assert "Estimation d’après vos interventions" in page and "D’après 5 interventions semblables" in page
    reader = f.user("lecteur.nesmy", role=Membership.Role.READER, organisation=world.nesmy)
    assert (
        "Estimation d’après"
        not in login(reader).get(reverse("workorders:detail", args=[open_order.pk])).content.decode()
    )


# --- Evaluation ---------------------------------------------------------------------------------


def test_triage_eval_prints_accuracy_and_cpu_time_as_json(world, tmp_path):  # noqa: F811
    cases = tmp_path / "cas.csv"
    cases.write_text(
        "text;trade;priority\n"
        "la chasse d'eau des toilettes filles fuit;plomberie;normale\n"
        "plus de lumière dans le couloir du 1er;electricite;normale\n"
        "porte du gymnase qui ferme mal;serrurerie;normale\n"
        "une tuile est tombée dans la cour;couverture;urgente\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("triage_eval", str(cases), stdout=out)
    result = json.loads(out.getvalue())
    assert result["rows"] == 4 and result["model"] == "starter"
    assert result["top1_accuracy"] >= 0.75 and result["top3_accuracy"] >= result["top1_accuracy"]
    assert result["priority_accuracy"] is not None
    assert set(result["per_trade"]) == {"plomberie", "electricite", "serrurerie", "couverture"}
    assert result["cpu_ms_per_prediction"]["p95"] > 0

    out = io.StringIO()
    call_command("triage_eval", str(cases), "--org", world.nesmy.slug, stdout=out)
    assert json.loads(out.getvalue())["organisation"] == world.nesmy.slug


def test_triage_eval_refuses_a_bad_file_clearly(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_text("description,metier\nfuite,plomberie\n", encoding="utf-8")
    with pytest.raises(CommandError, match="text;trade;priority"):
        call_command("triage_eval", str(bad))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("triage_eval", str(tmp_path / "absent.csv"))


def test_a_request_filed_without_the_assistant_gets_its_suggestion_on_first_view(world, f, login):  # noqa: F811
    request = f.work_request(world.nesmy, building_obj=world.school, description="Vitre cassée dans la classe")
    html = lead(login, world).get(reverse("intake:detail", args=[request.pk])).content.decode()
    assert "Suggestion de l’assistant" in html and "Vitrerie" in html
    request.refresh_from_db()
    assert request.suggested_trade.code == "vitrerie" and suggestion_of(request).trade.code == "vitrerie"
