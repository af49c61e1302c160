"""Second factor gate: a signed-in user who still owes a code (or, for an administrator, an
enrolment) reaches nothing but the pages that settle it.

The requirement is computed once at sign-in (`receivers.py`, for every way in: the login page,
the Django admin's, single sign-on) and kept in the session, so this check costs no query.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from patrimoine.accounts.services import SESSION_2FA, two_factor_requirement

TARGETS = {"verify": "accounts:two-factor-verify", "enrol": "accounts:two-factor-enrol"}
ALLOWED = {
    "verify": ("accounts:two-factor-verify", "accounts:logout"),
    "enrol": ("accounts:two-factor-enrol", "accounts:two-factor-qr", "accounts:logout"),
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        due = request.session.get(SESSION_2FA)
        if due is None:  # a session opened before this gate existed
            due = request.session[SESSION_2FA] = two_factor_requirement(user)
        if not due or request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        if request.path in {reverse(name) for name in ALLOWED[due]}:
            return self.get_response(request)
        target = reverse(TARGETS[due])
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
