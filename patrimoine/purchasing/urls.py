from django.urls import path

from patrimoine.purchasing.views import contracts, orders

app_name = "purchasing"

urlpatterns = [
    path("", orders.order_list, name="order-list"),
    path("bons/nouveau/", orders.order_create, name="order-create"),
    path("bons/<uuid:pk>/", orders.order_detail, name="order-detail"),
    path("bons/<uuid:pk>/modifier/", orders.order_edit, name="order-edit"),
    path("bons/<uuid:pk>/lignes/", orders.order_line_add, name="order-line-add"),
    path("bons/<uuid:pk>/lignes/<uuid:line_pk>/retirer/", orders.order_line_remove, name="order-line-remove"),
    path("bons/<uuid:pk>/statut/", orders.order_status, name="order-status"),
    path("bons/<uuid:pk>/factures/", orders.order_invoice_add, name="order-invoice-add"),
    path("marches/", contracts.contract_list, name="contract-list"),
    path("marches/nouveau/", contracts.contract_create, name="contract-create"),
    path("marches/<uuid:pk>/", contracts.contract_detail, name="contract-detail"),
    path("marches/<uuid:pk>/lots/", contracts.contract_lot_add, name="contract-lot-add"),
    path("lots/<uuid:pk>/prix/", contracts.lot_price_add, name="lot-price-add"),
]
