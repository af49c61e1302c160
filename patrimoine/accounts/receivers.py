"""Sign-in hook: the one place every way of signing in goes through (Django's `login()`).

Not business logic: it only records in the new session what the second-factor gate
(`middleware.TwoFactorMiddleware`) must still ask of this user.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from patrimoine.accounts.services import SESSION_2FA, two_factor_requirement


@receiver(user_logged_in, dispatch_uid="patrimoine-two-factor-requirement")
def record_two_factor_requirement(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_2FA] = two_factor_requirement(user)
