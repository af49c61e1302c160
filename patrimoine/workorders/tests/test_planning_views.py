"""The team's week (planning) and the validation queue (« À valider »)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import access_of
from patrimoine.organisations.models import Membership
from patrimoine.workorders import selectors, services
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.tests.conftest import outsiders

pytestmark = [pytest.mark.django_db]
Role = Membership.Role
Status = WorkOrder.Status
PLANNING = reverse("workorders:planning")
TO_VALIDATE = reverse("workorders:to-validate")
MONDAY = date(2026, 3, 2)
TUESDAY = MONDAY + timedelta(days=1)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def fresh(wo):
    with scopes_disabled():
        return WorkOrder.objects.get(pk=wo.pk)


def planned(f, world, technician, start, end=None, **extra):
    wo = f.work_order(
        world.nesmy, team_obj=world.team, status=Status.PLANNED, planned_start=start, planned_end=end, **extra
    )
    f.name_technicians(wo, technician)
    return wo


# --- The board -----------------------------------------------------------------------------------


def test_planning_shows_technicians_days_slots_and_planned_orders(f, world, login):
    wo = planned(f, world, world.ahmed, at(TUESDAY, 8), at(TUESDAY, 12), title="Fuite cantine")
    response = login(world.chef).get(PLANNING, {"equipe": world.team.pk, "semaine": "2026-03-04"})
    assert response.status_code == 200
    board = response.context
    assert board["monday"] == MONDAY and [d.weekday() for d in board["days"]] == [0, 1, 2, 3, 4]
    rows = {str(row.technician): row for row in board["rows"]}
    assert set(rows) == {"Ahmed Benali", "Bruno Morel"}
    tuesday_morning = rows["Ahmed Benali"].cells[2]
    assert (tuesday_morning.day, tuesday_morning.slot, tuesday_morning.orders) == (TUESDAY, "matin", [wo])
    html = response.content.decode()
    assert "Fuite cantine" in html and "Matin" in html and "Après-midi" in html
    assert "?equipe=" in html and "semaine=2026-02-23" in html and "semaine=2026-03-09" in html  # previous / next


def test_technician_load_counts_half_days_and_real_durations(f, world, login):
    planned(f, world, world.ahmed, at(TUESDAY, 8))  # no end: a half day, 4 h
    planned(f, world, world.ahmed, at(TUESDAY, 13, 30), at(TUESDAY, 15, 15))  # 1 h 45
    planned(f, world, world.bruno, at(MONDAY, 8), at(MONDAY + timedelta(days=1), 17, 30))  # two days: 4 slots
    planned(f, world, world.ahmed, at(MONDAY + timedelta(days=7), 8))  # next week: not counted
    response = login(world.chef).get(PLANNING, {"equipe": world.team.pk, "semaine": MONDAY.isoformat()})
    load = {str(row.technician): row.hours for row in response.context["rows"]}
    assert load == {"Ahmed Benali": Decimal("5.75"), "Bruno Morel": Decimal("16")}
    assert "5\u00a0h\u00a045 sur 40\u00a0h" in response.content.decode()


def test_an_order_begun_last_week_shows_where_it_runs_into_this_one(f, world, login):
    thursday_before = MONDAY - timedelta(days=4)
    running = planned(f, world, world.bruno, at(thursday_before, 8), at(TUESDAY, 12), title="Réfection toiture")
    planned(f, world, world.ahmed, at(thursday_before, 8), at(thursday_before, 12), title="Fini la semaine passée")
    response = login(world.chef).get(PLANNING, {"equipe": world.team.pk, "semaine": MONDAY.isoformat()})
    rows = {str(row.technician): row for row in response.context["rows"]}
    assert rows["Bruno Morel"].cells[0].orders == [running]  # Monday morning: still on the roof
    assert rows["Bruno Morel"].hours == Decimal("12")  # Monday whole, Tuesday morning
    assert "Fini la semaine passée" not in response.content.decode()


def test_unplanned_side_list_has_urgent_first_for_the_team_communes_only(f, world, login):
    normal = f.work_order(world.nesmy, title="Robinet qui goutte")
    urgent = f.work_order(world.nesmy, title="Fuite urgente", priority=WorkOrder.Priority.URGENT)
    own = f.work_order(world.epci, title="Bureau de l'agglo")
    f.work_order(world.venansault, title="Pas servie")
    f.work_order(world.nesmy, title="Autre équipe", team_obj=f.team(world.nesmy, "Régie de Nesmy"))
    response = login(world.chef).get(PLANNING, {"equipe": world.team.pk})
    assert [wo.pk for wo in response.context["unplanned"]][:1] == [urgent.pk]
    assert {wo.pk for wo in response.context["unplanned"]} == {urgent.pk, normal.pk, own.pk}
    html = response.content.decode()
    assert "wo-card--4_urgente" in html and "Pas servie" not in html and "Autre équipe" not in html


def test_keyboard_form_plans_the_order_on_the_chosen_technician_and_slot(f, world, login):
    wo = f.work_order(world.nesmy, title="Fuite cantine", priority=WorkOrder.Priority.URGENT)
    client = login(world.chef)
    html = client.get(PLANNING, {"equipe": world.team.pk, "semaine": MONDAY.isoformat()}).content.decode()
    # The card links to its form (fetched when opened, or a page of its own without JavaScript)…
    slot_url = reverse("workorders:plan-slot", args=[wo.pk])
    assert f'href="{slot_url}?equipe={world.team.pk}&amp;semaine={MONDAY.isoformat()}"' in html
    assert f'id="tech-{wo.pk}"' not in html  # the planning does not carry forty forms
    for headers in ({"HX-Request": "true"}, {}):
        form = client.get(slot_url, {"equipe": world.team.pk, "semaine": MONDAY.isoformat()}, headers=headers)
        html = form.content.decode()
        assert f'id="tech-{wo.pk}"' in html and f'id="jour-{wo.pk}"' in html and f'id="creneau-{wo.pk}"' in html
        assert ">Ahmed" in html or world.ahmed.get_full_name() in html
        assert ("<html" in html) == (not headers)
    response = client.post(
        reverse("workorders:plan-slot", args=[wo.pk]),
        {
            "team": world.team.pk,
            "technician": world.ahmed.pk,
            "day": TUESDAY.isoformat(),
            "slot": "matin",
            "version": 1,
            "semaine": MONDAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PLANNING}?equipe={world.team.pk}&semaine={MONDAY.isoformat()}"
    wo = fresh(wo)
    assert wo.status == Status.PLANNED and wo.team == world.team and list(wo.technicians.all()) == [world.ahmed]
    assert (timezone.localtime(wo.planned_start), timezone.localtime(wo.planned_end)) == (
        at(TUESDAY, 8),
        at(TUESDAY, 12),
    )
    page = client.get(response["Location"])
    assert "planifié : Ahmed Benali, mardi 3 mars, matin" in page.content.decode()
    assert page.context["rows"][0].cells[2].orders == [wo]


def test_drop_request_gets_a_plain_text_answer(f, world, login):
    wo = f.work_order(world.nesmy)
    data = {
        "team": world.team.pk,
        "technician": world.bruno.pk,
        "day": "2026-03-05",
        "slot": "apres-midi",
        "version": 1,
    }
    response = login(world.chef).post(
        reverse("workorders:plan-slot", args=[wo.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "Bruno Morel, jeudi 5 mars, après-midi" in response.content.decode()
    assert timezone.localtime(fresh(wo).planned_start) == at(date(2026, 3, 5), 13, 30)


def test_moving_a_planned_order_swaps_only_the_technician_of_the_cell(f, world, login):
    carla = f.user("technicien3.epci", role=Role.TECHNICIAN, organisation=world.epci, first_name="Carla")
    with scopes_disabled():
        world.team.members.create(user=carla)
    wo = planned(f, world, world.ahmed, at(MONDAY, 8))
    f.name_technicians(wo, world.bruno)
    data = {
        "team": world.team.pk,
        "technician": carla.pk,
        "from_technician": world.ahmed.pk,
        "day": "2026-03-04",
        "slot": "matin",
        "version": 1,
    }
    login(world.chef).post(reverse("workorders:plan-slot", args=[wo.pk]), data, headers={"HX-Request": "true"})
    assert set(fresh(wo).technicians.all()) == {world.bruno, carla}


def test_stale_drop_is_409_and_plans_nothing(f, world, login):
    wo = f.work_order(world.nesmy)
    data = {"team": world.team.pk, "technician": world.ahmed.pk, "day": "2026-03-03", "slot": "matin", "version": 4}
    response = login(world.chef).post(
        reverse("workorders:plan-slot", args=[wo.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in response.content.decode()
    wo = fresh(wo)
    assert wo.status == Status.TO_PLAN and wo.planned_start is None and not wo.technicians.exists()


def test_refused_slot_form_shows_the_french_message_and_changes_nothing(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS)
    data = {"team": world.team.pk, "technician": world.ahmed.pk, "day": "2026-03-03", "slot": "matin", "version": 1}
    response = login(world.chef).post(reverse("workorders:plan-slot", args=[wo.pk]), data)
    assert response.status_code == 400
    assert "Un bon « En cours » ne peut plus être planifié." in response.content.decode()
    assert fresh(wo).version == 1 and fresh(wo).planned_start is None


def test_technician_sees_his_team_week_but_cannot_plan(f, world, login):
    wo = f.work_order(world.nesmy)
    client = login(world.ahmed)
    response = client.get(PLANNING)
    assert response.status_code == 200 and response.context["team"] == world.team
    assert not response.context["may_plan"] and "draggable" not in response.content.decode()
    data = {"team": world.team.pk, "technician": world.ahmed.pk, "day": "2026-03-03", "slot": "matin", "version": 1}
    assert client.post(reverse("workorders:plan-slot", args=[wo.pk]), data).status_code == 404  # not even visible
    assert client.get(reverse("workorders:plan-slot", args=[wo.pk])).status_code == 404  # nor its form


@pytest.mark.parametrize("role_index", range(len(Role.values)))
def test_planning_of_another_organisation_team_is_never_shown(f, world, login, role_index):
    f.work_order(world.nesmy, title="Fuite cantine")
    planned(f, world, world.ahmed, at(TUESDAY, 8), title="Déjà planifié")
    _role, user, org = outsiders(f, world)[role_index]
    response = login(user, org).get(PLANNING, {"equipe": world.team.pk, "semaine": MONDAY.isoformat()})
    html = response.content.decode()
    assert response.status_code in (200, 403)
    assert "Fuite cantine" not in html and "Déjà planifié" not in html and "Ahmed" not in html
    if response.status_code == 200:
        assert response.context["team"] != world.team


def test_requester_has_no_planning(f, world, login):
    requester = f.user("demandeur.nesmy", role=Role.REQUESTER, organisation=world.nesmy)
    assert login(requester).get(PLANNING).status_code == 403


def test_planning_query_count_does_not_grow_with_orders(f, world, login, django_assert_max_num_queries):
    client = login(world.chef)
    params = {"equipe": world.team.pk, "semaine": MONDAY.isoformat()}
    for n in range(3):
        planned(f, world, world.ahmed, at(MONDAY + timedelta(days=n % 5), 8))
        f.work_order(world.nesmy)
    client.get(PLANNING, params)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(PLANNING, params)
    for n in range(27):
        planned(f, world, world.bruno, at(MONDAY + timedelta(days=n % 5), 13, 30))
        f.work_order(world.nesmy)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PLANNING, params)


def test_planned_hours_rule():
    assert selectors.planned_hours(at(TUESDAY, 8), None) == Decimal("4")
    assert selectors.planned_hours(at(TUESDAY, 8), at(TUESDAY, 9, 30)) == Decimal("1.5")
    assert selectors.planned_hours(at(MONDAY, 13, 30), at(TUESDAY, 12), MONDAY) == Decimal("8")


# --- À valider -----------------------------------------------------------------------------------


def test_to_validate_lists_only_done_orders_the_user_may_validate(f, world, login):
    from patrimoine.costs.models import TimeEntry

    done = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE, title="Fuite réparée")
    f.work_order(world.nesmy, team_obj=world.team, status=Status.IN_PROGRESS, title="Encore en cours")
    f.work_order(world.venansault, status=Status.DONE, title="Pas à lui")
    own_commune_team = f.team(world.nesmy, "Régie de Nesmy")
    f.work_order(world.nesmy, team_obj=own_commune_team, status=Status.DONE, title="Régie communale")
    with scopes_disabled():
        TimeEntry.objects.create(
            organisation=world.nesmy,
            work_order=done,
            technician=world.ahmed,
            date=timezone.localdate(),
            hours=Decimal("1.75"),
            hourly_rate=Decimal("40"),
            amount=Decimal("70.00"),
        )
        WorkOrder.objects.filter(pk=done.pk).update(
            labour_cost=Decimal("70.00"), material_cost=Decimal("26.40"), total_cost=Decimal("96.40")
        )
    response = login(world.chef).get(TO_VALIDATE)
    assert response.status_code == 200
    assert [wo.pk for wo in response.context["rows"]] == [done.pk]
    with scopes_disabled():
        chef = access_of(world.chef)
        visible_done = selectors.work_orders_visible_to(chef).filter(status=Status.DONE)
        assert {wo.pk for wo in visible_done if services.work_order_may(chef, "workorders.validate", wo)} == {done.pk}
    html = response.content.decode()
    assert "1\u00a0h\u00a045" in html and "26,40\u00a0€" in html and "96,40\u00a0€" in html
    assert reverse("workorders:detail", args=[done.pk]) in html and "Valider" in html
    assert "Encore en cours" not in html and "Pas à lui" not in html and "Régie communale" not in html


def test_one_click_validate_from_the_queue(f, world, login):
    wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE)
    client = login(world.chef)
    response = client.post(
        reverse("workorders:transition", args=[wo.pk]), {"to": Status.VALIDATED, "version": 1, "next": TO_VALIDATE}
    )
    assert response["Location"] == TO_VALIDATE
    assert fresh(wo).status == Status.VALIDATED
    assert client.get(TO_VALIDATE).context["rows"] == []


def test_roles_without_validation_have_no_queue(f, world, login):
    for user in (world.ahmed, world.manager_nesmy, world.reader_nesmy):
        assert login(user).get(TO_VALIDATE).status_code == 403


@pytest.mark.parametrize("role_index", range(len(Role.values)))
def test_queue_never_shows_another_organisation_orders(f, world, login, role_index):
    f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE, title="Fuite réparée")
    _role, user, org = outsiders(f, world)[role_index]
    response = login(user, org).get(TO_VALIDATE)
    assert "Fuite réparée" not in response.content.decode()
    if response.status_code == 200:
        assert response.context["rows"] == []


def test_to_validate_query_count_does_not_grow_with_rows(f, world, login, django_assert_num_queries):
    client = login(world.chef)

    def make(n):
        for _ in range(n):
            wo = f.work_order(world.nesmy, team_obj=world.team, status=Status.DONE, building_obj=world.school)
            f.name_technicians(wo, world.ahmed)

    make(3)
    client.get(TO_VALIDATE)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(TO_VALIDATE).context["rows"]) == 3
    make(27)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(TO_VALIDATE).context["rows"]) == 25
