from .calendar import building_calendar, calendar_index, ical_building, ical_team, team_calendar
from .compliance import (
    building_catalogue,
    building_compliance,
    building_register,
    compliance,
    finding_reopen,
    occurrence_detail,
    occurrence_finding,
    occurrence_report,
)
from .plans import plan_archive, plan_create, plan_detail, plan_edit, plan_list, plan_reading
from .settings import catalogue, generation, preferences

__all__ = [
    "building_calendar",
    "building_catalogue",
    "building_compliance",
    "building_register",
    "calendar_index",
    "catalogue",
    "compliance",
    "finding_reopen",
    "generation",
    "ical_building",
    "ical_team",
    "occurrence_detail",
    "occurrence_finding",
    "occurrence_report",
    "plan_archive",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_list",
    "plan_reading",
    "preferences",
    "team_calendar",
]
