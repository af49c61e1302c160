"""The administrators' audit trail page: search, then export what was found as CSV."""

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patrimoine.core.pagination import KeysetPaginator
from patrimoine.core.services import audit_read
from patrimoine.trust import privacy
from patrimoine.trust.filters import AuditFilter
from patrimoine.trust.forms import PersonForm
from patrimoine.trust.selectors import audit_entries_visible_to

PAGE_SIZE = 50


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(
        [
            _("N°"),
            _("Date"),
            _("Collectivité"),
            _("Auteur"),
            _("Nature"),
            _("Action"),
            _("Type d'objet"),
            _("Identifiant"),
            _("Message"),
            _("Détails"),
            _("Adresse IP"),
            _("Navigateur"),
            _("Empreinte"),
        ]
    )
    for e in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                e.pk,
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                e.organisation.name if e.organisation else "",
                e.actor_name,
                e.get_kind_display(),
                e.action,
                e.target_type,
                e.target_id,
                e.message,
                e.data if e.data else "",
                e.ip,
                e.user_agent,
                e.hash,
            ]
        )


@require_GET
def audit_list(request):
    access = request.access
    if not access.has("audit.view"):
        raise PermissionDenied
    filterset = AuditFilter(request.GET, queryset=audit_entries_visible_to(access), access=access)
    entries = filterset.qs
    if request.GET.get("format") == "csv" and filterset.is_valid():
        audit_read(access=access, action="audit.export", data=dict(request.GET))
        response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="journal-audit-{timezone.localdate():%Y%m%d}.csv"'
        return response
    page = KeysetPaginator(entries, ["-at", "-id"], PAGE_SIZE, name="audit").page(request.GET.get("page"))
    for entry in page.object_list:
        entry.details = [(key, _detail(value)) for key, value in (entry.data or {}).items()]
    return render(request, "trust/audit_list.html", {"filter": filterset, "page": page})


def _detail(value) -> str:
    """A change recorded as [before, after] reads « before → after »."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str | int | float | None) for v in value):
        return f"{value[0] if value[0] not in (None, '') else '∅'} → {value[1] if value[1] not in (None, '') else '∅'}"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --- Personal data (RGPD) ------------------------------------------------------------------------------


def _require_privacy(access) -> None:
    if not access.has("privacy.manage"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def personal_data(request):
    """A person's right of access (JSON export) and right to erasure, on request to the administrator."""
    access = request.access
    _require_privacy(access)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if "export" in request.POST:
            data = privacy.person_data_export(access=access, email=email)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="donnees-personnelles.json"'
            return response
        if not form.cleaned_data["confirm"]:
            form.add_error("confirm", _("Cochez la case pour confirmer l'effacement."))
        else:
            count = privacy.person_data_erase(access=access, email=email)
            messages.success(
                request, _("%(n)s demande(s) anonymisée(s) ; les statistiques sont conservées.") % {"n": count}
            )
            return redirect("trust:personal-data")
    status = 400 if form.errors else 200
    return render(request, "trust/personal_data.html", {"form": form}, status=status)


@require_GET
def processing_register(request):
    """The registre des traitements, generated from what the code declares (trust/privacy.py)."""
    _require_privacy(request.access)
    return render(request, "trust/register.html", {"rows": privacy.registry_rows()})
