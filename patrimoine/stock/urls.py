from django.urls import path

from patrimoine.stock import views

app_name = "stock"

urlpatterns = [
    path("articles/", views.item_search, name="item-search"),
]
