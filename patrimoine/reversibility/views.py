"""« Réversibilité » : an administrator exports all his organisation's data and downloads it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from patrimoine.core.errors import DomainError, PermissionRefused
from patrimoine.core.files import stored_file_response

from . import selectors, services
from .models import TenantExport


@require_http_methods(["GET", "POST"])
def home(request):
    access = request.access
    if not access.has(selectors.ACTION):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        try:
            services.tenant_export_request(access=access)
        except DomainError as error:
            messages.error(request, error.message)
            status = 403 if isinstance(error, PermissionRefused) else 400
        else:
            messages.success(request, _("L'export est en file : il avance ci-dessous."))
            return redirect("reversibility:home")
    exports = list(selectors.exports_for(access)[:10])
    context = {"exports": exports, "polling": any(e.is_active for e in exports)}
    htmx = request.headers.get("HX-Request") == "true"
    template = "reversibility/partials/exports.html" if htmx else "reversibility/home.html"
    return render(request, template, context, status=status)


@require_GET
def download(request, pk):
    """The archive, only to an administrator of its organisation; never a public media URL."""
    export = selectors.get_export_for(request.access, pk)
    if export.status != TenantExport.Status.DONE or not export.archive:
        raise Http404
    response = stored_file_response(
        export.archive, as_attachment=True, filename=export.download_name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
