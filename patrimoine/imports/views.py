"""Pages of the import: upload → mapping → check (preview and every error) → import (background
job) → summary; and the GeoJSON export of buildings and equipment."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patrimoine.core.errors import DomainError
from patrimoine.imports import selectors, services
from patrimoine.imports.forms import MappingForm, UploadForm
from patrimoine.imports.geojson import EXPORTS
from patrimoine.imports.models import ImportJob
from patrimoine.imports.schema import FIELDS


def _require(access) -> None:
    if not access.has("imports.run"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def home(request):
    access = request.access
    _require(access)
    mappings = selectors.mappings_of(access)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None, mappings=mappings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.job_create(
                    access=access,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    content=upload.read(),
                    mapping_name=form.cleaned_data["mapping_name"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("imports:job-mapping", pk=job.pk)
        status = 400
    context = {
        "form": form,
        "jobs": selectors.jobs_visible_to(access)[:15],
        "mappings": mappings,
        "fields": [(kind, label, FIELDS[kind]) for kind, label in ImportJob._meta.get_field("kind").choices],
    }
    return render(request, "imports/home.html", context, status=status)


@require_http_methods(["GET", "POST"])
def job_mapping(request, pk):
    access = request.access
    _require(access)
    job = selectors.get_job_for(access, pk)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED):
        return redirect("imports:job-detail", pk=job.pk)
    form = MappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            services.job_check(access=access, job=job, mapping=form.mapping(), save_as=form.cleaned_data["save_as"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("imports:job-detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/mapping.html", {"job": job, "form": form}, status=status)


@require_GET
def job_detail(request, pk):
    access = request.access
    _require(access)
    job = selectors.get_job_for(access, pk)
    context = {
        "job": job,
        "working": job.status in (ImportJob.Status.CHECKING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        "counts": sorted(job.counts.items()),
    }
    return render(request, "imports/job.html", context)


@require_POST
def job_commit(request, pk):
    access = request.access
    _require(access)
    job = selectors.get_job_for(access, pk)
    try:
        services.job_queue(access=access, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Import lancé : cette page montre son avancement."))
    return redirect("imports:job-detail", pk=job.pk)


@require_GET
def geojson_export(request):
    """`?type=batiments|equipements`: the active organisation's assets as a GeoJSON download."""
    access = request.access
    if not access.has("assets.view") or access.organisation is None:
        raise PermissionDenied
    kind = request.GET.get("type", "batiments")
    if kind not in EXPORTS:
        return HttpResponse(_("Type d'export inconnu."), status=400, content_type="text/plain; charset=utf-8")
    visible_to, build = EXPORTS[kind]
    collection = build(visible_to(access).filter(organisation=access.organisation))
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, indent=1), content_type="application/geo+json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{access.organisation.slug}-{stamp}.geojson"'
    return response
