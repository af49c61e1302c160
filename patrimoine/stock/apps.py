from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "patrimoine.stock"
    label = "stock"
    verbose_name = "Stock"
