from django.urls import path

from patrimoine.documents import views

app_name = "documents"

urlpatterns = [path("<uuid:pk>/", views.download, name="download")]
