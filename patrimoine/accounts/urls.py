from django.urls import path

from patrimoine.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password-change"),
    path("collectivite/", views.switch_organisation, name="switch-organisation"),
    path("sso/", views.OidcStartView.as_view(), name="oidc-start"),
    path("sso/retour/", views.OidcCallbackView.as_view(), name="oidc-callback"),
    path("verification/", views.two_factor_verify, name="two-factor-verify"),
    path("double-authentification/", views.two_factor_enrol, name="two-factor-enrol"),
    path("double-authentification/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("double-authentification/codes/", views.recovery_codes_regenerate, name="recovery-codes"),
    path("identites/", views.pending_identities, name="identities"),
    path("identites/<int:pk>/valider/", views.identity_approve, name="identity-approve"),
    path("identites/<int:pk>/refuser/", views.identity_reject, name="identity-reject"),
]
