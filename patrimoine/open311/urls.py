from django.urls import path, re_path

from patrimoine.open311 import views

app_name = "open311"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("cles/nouvelle/", views.key_create, name="key-create"),
    path("cles/<uuid:pk>/revoquer/", views.key_revoke, name="key-revoke"),
    path("services/par-defaut/", views.services_defaults, name="services-defaults"),
    path("services/nouveau/", views.service_form, name="service-create"),
    path("services/<uuid:pk>/", views.service_form, name="service-edit"),
    path("services/<uuid:pk>/publication/", views.service_toggle, name="service-toggle"),
]

# GeoReport v2: each resource in XML and JSON, the format given by the extension.
for fmt in ("xml", "json"):
    urlpatterns += [
        path(f"v2/discovery.{fmt}", views.discovery, {"fmt": fmt}, name=f"discovery-{fmt}"),
        path(f"v2/services.{fmt}", views.service_list, {"fmt": fmt}, name=f"services-{fmt}"),
        path(f"v2/services/<str:service_code>.{fmt}", views.service_definition, {"fmt": fmt}, name=f"service-{fmt}"),
        path(f"v2/requests.{fmt}", views.requests, {"fmt": fmt}, name=f"requests-{fmt}"),
        path(f"v2/requests/<str:service_request_id>.{fmt}", views.request_detail, {"fmt": fmt}, name=f"request-{fmt}"),
        path(f"v2/tokens/<str:token>.{fmt}", views.token_detail, {"fmt": fmt}, name=f"token-{fmt}"),
    ]

urlpatterns.append(re_path(r"^v2/", views.not_found))
