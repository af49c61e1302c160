from django.contrib import admin
from django.urls import include, path

from patrimoine.api.v1.urls import urls as api_v1_urls
from patrimoine.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("compte/", include("patrimoine.accounts.urls")),
    path("documents/", include("patrimoine.documents.urls")),
    path("patrimoine/", include("patrimoine.assets.urls")),
    path("demandes/", include("patrimoine.intake.urls")),
    path("bons/", include("patrimoine.workorders.urls")),
    path("couts/", include("patrimoine.costs.urls")),
    path("stock/", include("patrimoine.stock.urls")),
    path("achats/", include("patrimoine.purchasing.urls")),
    path("budgets/", include("patrimoine.budgets.urls")),
    path("refacturation/", include("patrimoine.chargeback.urls")),
    path("rapports/", include("patrimoine.reporting.urls")),
    path("terrain/", include("patrimoine.field.urls")),
    path("maintenance/", include("patrimoine.maintenance.urls")),
    path("reversibilite/", include("patrimoine.reversibility.urls")),
    path("reprise/", include("patrimoine.imports.urls")),
    path("open311/", include("patrimoine.open311.urls")),
    path("ia/", include("patrimoine.triage.urls")),
    path("", include("patrimoine.portal.urls")),
    path("confiance/", include("patrimoine.trust.urls")),
    path("api/", include("patrimoine.api.urls")),
    path("api/v1/", api_v1_urls),
    path("", include("patrimoine.dashboard.urls")),
]

# Observability (patrimoine/ops): /readyz, /metrics, the instance page; the 500 page shows the request id.
urlpatterns += [path("", include("patrimoine.ops.urls"))]
handler500 = "patrimoine.ops.views.server_error"
