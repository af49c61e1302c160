from django.urls import path

from patrimoine.portal import views

app_name = "portal"

urlpatterns = [
    # The citizen's own pages come before /signaler/<org>/ (their words are reserved in portal/access.py).
    path("signaler/connexion/", views.citizen_sign_in, name="citizen-sign-in"),
    path("signaler/connexion/retour/", views.citizen_callback, name="citizen-callback"),
    path("signaler/deconnexion/", views.citizen_sign_out, name="citizen-sign-out"),
    path("signaler/mes-signalements/", views.my_reports, name="my-reports"),
    path("signaler/mes-signalements/oublier/", views.citizen_forget, name="citizen-forget"),
    path("signaler/<slug:org>/", views.report, name="report"),
    path("signaler/<slug:org>/moi-aussi/", views.support, name="support"),
    path("suivi/<str:token>/", views.track, name="track"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("accueil/", views.counter, name="counter"),
    path("accueil/a-rappeler/", views.call_backs, name="call-backs"),
    path("accueil/<uuid:pk>/recu/", views.receipt, name="receipt"),
    path("accueil/<uuid:pk>/recu/envoyer/", views.receipt_send, name="receipt-send"),
    path("accueil/<uuid:pk>/recu/sms/", views.receipt_sms, name="receipt-sms"),
    path("accueil/<uuid:pk>/rappele/", views.call_back_done, name="call-back-done"),
    path("accueil/demandes/<uuid:pk>/reponse/", views.reply, name="reply"),
]
