"""Opens the tenancy scope for every request: the one place where it is set."""

from django_scopes import scope, scopes_disabled

from patrimoine.organisations.access import SESSION_KEY, access_for_user

PUBLIC_PREFIXES = ("/signaler/", "/suivi/")  # the citizen portal (patrimoine.portal.access)


class AccessScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_superuser and request.path.startswith("/admin/"):
            # The platform's Django admin, for the DSI's superusers only, sees every organisation.
            request.access = access_for_user(user, request.session.get(SESSION_KEY))
            with scopes_disabled():
                return self.get_response(request)
        access = access_for_user(user, request.session.get(SESSION_KEY) if hasattr(request, "session") else None)
        if request.path.startswith(PUBLIC_PREFIXES):
            # The citizen portal: no account needed, the scope is the one organisation of the path.
            from patrimoine.portal.access import public_access

            access = public_access(request.path)
        request.access = access
        with scope(organisation=sorted(access.read_org_ids)):
            return self.get_response(request)
