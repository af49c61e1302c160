from django.shortcuts import render

from patrimoine.dashboard import selectors
from patrimoine.organisations.models import Membership

Role = Membership.Role


def home(request):
    """The role's home page: what this user acts on first."""
    access = request.access
    context: dict = {"role": access.role}
    if access.role is None:
        return render(request, "dashboard/no_membership.html", status=403)
    if access.has("intake.triage"):
        context["triage"] = selectors.triage_summary(access)
    if access.has("workorders.view") and access.role != Role.TECHNICIAN:
        context["backlog"] = selectors.backlog_summary(access)
        context["overdue"] = selectors.overdue_orders(access)
    if access.role in (Role.TECHNICIAN, Role.CONTRACTOR):
        context["jobs"] = selectors.my_jobs(access)
    if access.has("costs.view"):
        context["costs"] = selectors.year_costs(access)
    if access.role in (Role.READER, Role.ADMIN, Role.MANAGER):
        context["channels"] = selectors.requests_by_channel(access)
    if access.has("intake.create"):
        context["my_requests"] = selectors.my_requests(access)
    return render(request, "dashboard/home.html", context)
