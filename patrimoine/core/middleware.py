"""Turns a refused domain action that no view caught into a clear French page, never a 500."""

from django.shortcuts import render

from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, PermissionRefused):
            status = 403
        elif isinstance(exception, ConcurrentEditError):
            status = 409
        else:
            status = 400
        return render(request, "refused.html", {"message": exception.message}, status=status)
