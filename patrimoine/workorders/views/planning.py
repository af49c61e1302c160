"""The team's week (planning, drag and drop or keyboard form) and the validation queue."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patrimoine.core.errors import DomainError
from patrimoine.organisations.models import Team
from patrimoine.workorders import selectors, services
from patrimoine.workorders.forms import SlotForm
from patrimoine.workorders.models import WorkOrder
from patrimoine.workorders.views.common import PAGE_SIZE, form_error, is_htmx, status_of

Status = WorkOrder.Status
UNPLANNED_SHOWN = 40

# --- Planning ------------------------------------------------------------------------------------


def _week_of(value: str | None) -> date:
    """The Monday of the week asked for; by default this week, or the next one from Saturday on."""
    today = timezone.localdate()
    default = today + timedelta(days=2) if today.weekday() >= 5 else today
    try:
        day = date.fromisoformat(value) if value else default
    except ValueError:
        day = default
    return selectors.week_start(day)


def _planning_context(request, team_param=None, week_param=None) -> dict:
    access = request.access
    teams = selectors.planning_teams(access)
    if not teams:
        raise PermissionDenied
    team_param = team_param if team_param is not None else request.GET.get("equipe")
    team = next((t for t in teams if str(t.pk) == team_param), teams[0])
    monday = _week_of(week_param if week_param is not None else request.GET.get("semaine"))
    board = selectors.planning_board(access, team, monday)
    unplanned = selectors.unplanned_for_team(access, team)
    shown = list(unplanned[:UNPLANNED_SHOWN])
    may_plan = access.has("workorders.plan")
    return {
        **board,
        "teams": teams,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "this_week": _week_of(None),
        "friday": monday + timedelta(days=4),
        "unplanned": shown,
        "unplanned_count": unplanned.count() if len(shown) == UNPLANNED_SHOWN else len(shown),
        "may_plan": may_plan,
        "members": [row.technician for row in board["rows"] if row.technician is not None],
        **_slot_choices(board["days"]),
        "Status": Status,
        "movable_statuses": (Status.PLANNED, Status.SUSPENDED),
        "morning": selectors.MORNING,
        "column_count": 2 + len(board["days"]),
    }


@require_GET
def planning(request):
    context = _planning_context(request)
    template = "workorders/partials/planning_board.html" if is_htmx(request) else "workorders/planning.html"
    return render(request, template, context)


def _slot_choices(days) -> dict:
    return {
        "day_choices": [(d, date_format(d, "l j F").capitalize()) for d in days],
        "slot_choices": [(code, label) for code, (label, _start, _end) in selectors.SLOTS.items()],
        "today": timezone.localdate(),
    }


def _slot_form(request, pk):
    """The keyboard form for one order (« Planifier sans glisser »): fetched by the planning when a
    card's form is opened (htmx), or shown as a page of its own without JavaScript. Not in the
    planning's HTML itself: forty cards times a shared team's technicians weighed hundreds of KB."""
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    teams = selectors.planning_teams(access)
    if not teams or not services.work_order_may(access, "workorders.plan", work_order):
        raise PermissionDenied
    team = next((t for t in teams if str(t.pk) == request.GET.get("equipe")), None)
    team = team or next((t for t in teams if t.pk == work_order.team_id), teams[0])
    monday = _week_of(request.GET.get("semaine"))
    days = [monday + timedelta(days=offset) for offset in range(selectors.WORK_DAYS)]
    context = {
        "wo": work_order,
        "team": team,
        "monday": monday,
        "members": list(selectors.technicians_of_teams([team.pk])),
        **_slot_choices(days),
    }
    template = "workorders/partials/slot_form.html" if is_htmx(request) else "workorders/slot_form.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def plan_slot(request, pk):
    """Plan an order on a technician's half day: the planning grid's drop (fetch) and its keyboard
    form (GET: the form)."""
    if request.method == "GET":
        return _slot_form(request, pk)
    access = request.access
    work_order = selectors.get_work_order_for(access, pk)
    teams = Team.objects.filter(pk__in=[t.pk for t in selectors.planning_teams(access)])
    form = SlotForm(request.POST, teams=teams)
    week = request.POST.get("semaine") or request.POST.get("day")
    try:
        if not form.is_valid():
            raise form_error(form)
        data = form.cleaned_data
        start, end = form.slot_bounds()
        technicians = [data["technician"]]
        if data.get("from_technician") and work_order.status != Status.TO_PLAN:
            # Moved from another technician's cell: swap him for the new one, keep the others.
            others = work_order.technicians.exclude(pk__in=[data["from_technician"], data["technician"].pk])
            technicians = [*others, data["technician"]]
        services.work_order_plan(
            access=access,
            work_order=work_order,
            expected_version=data["version"],
            team=data["team"],
            technicians=technicians,
            planned_start=start,
            planned_end=end,
        )
    except DomainError as error:
        if is_htmx(request):
            return HttpResponse(error.message, status=status_of(error), content_type="text/plain; charset=utf-8")
        messages.error(request, error.message)
        context = _planning_context(request, request.POST.get("team"), week)
        return render(request, "workorders/planning.html", context, status=status_of(error))
    message = _("%(ref)s planifié : %(who)s, %(day)s, %(slot)s.") % {
        "ref": work_order.reference,
        "who": data["technician"],
        "day": date_format(data["day"], "l j F"),
        "slot": dict(form.fields["slot"].choices)[data["slot"]].lower(),
    }
    if is_htmx(request):
        return HttpResponse(message, content_type="text/plain; charset=utf-8")
    messages.success(request, message)
    monday = selectors.week_start(data["day"]).isoformat()
    return redirect(f"{reverse('workorders:planning')}?equipe={data['team'].pk}&semaine={monday}")


# --- To validate ---------------------------------------------------------------------------------


@require_GET
def to_validate(request):
    access = request.access
    if not access.has("workorders.validate"):
        raise PermissionDenied
    orders = selectors.work_orders_to_validate(access)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [wo for wo in page if services.work_order_may(access, "workorders.validate", wo)]
    context = {"page": page, "rows": rows, "show_organisation": len(access.read_org_ids) > 1, "Status": Status}
    return render(request, "workorders/to_validate.html", context)
