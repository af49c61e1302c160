"""The API object, its authentication, its errors and the tenancy scope around every call.

Enforcement is the UI's, not a copy of it: a token stands for its user acting for the token's
organisation, so each call builds the same `Access` (`access_for_user`) and opens the same
django-scopes scope as `AccessScopeMiddleware`, then goes through the apps' selectors and services.
"""

import hashlib
import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django_scopes import scope
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from patrimoine.api.services import TokenRefused, api_token_authenticate
from patrimoine.core.errors import ConcurrentEditError, DomainError, PermissionRefused
from patrimoine.organisations.access import access_for_user

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_BODY_BYTES = 256 * 1024  # no API body needs more; uploads are not taken through the API


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: str
    errors: list[dict]


class Precondition(Exception):
    """If-Match missing (428) or stale (412)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pat_…` — a personal token created on the « Jetons d'API » page."""

    openapi_description = "Jeton personnel créé sur la page « Jetons d'API » (Authorization: Bearer pat_…)."

    def authenticate(self, request: HttpRequest, token: str):
        if getattr(request, "api_token", None) is None:
            raise TokenRefused(getattr(request, "api_refusal", None) or _("Jeton d'API invalide."))
        return request.api_token


def _bearer_secret(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _authenticated(request: HttpRequest) -> bool:
    """Find the token, build its user's Access for its organisation (as the middleware would)."""
    request.api_token = None
    request.api_refusal = None
    secret = _bearer_secret(request)
    if secret is None:
        return False
    try:
        token = api_token_authenticate(secret)
    except TokenRefused as refusal:
        request.api_refusal = str(refusal)
        return False
    access = access_for_user(token.user, token.organisation_id)
    if access.organisation is None or access.organisation.pk != token.organisation_id:
        request.api_refusal = _("Votre accès à la collectivité de ce jeton a pris fin.")
        return False
    request.api_token = token
    request.access = access
    request.user = token.user
    return True


def _query_names(run) -> set[str]:
    operation = getattr(run, "__self__", None)
    return {
        name
        for model in getattr(operation, "models", ())
        if model.__ninja_param_source__ == "query"
        for name in getattr(model, "__ninja_flatten_map__", {})
    }


def scoped(run):
    """Wraps each operation: body size, token, write scope, then the tenancy scope for everything
    the operation does — the view, the selectors and the serialisation of the answer."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return error_response(413, _("Corps de requête trop volumineux (256 Kio au plus)."))
        if not _authenticated(request):
            return run(request, *args, **kwargs)  # ninja's auth answers 401 with the reason
        unknown = sorted(set(request.GET) - _query_names(run))
        if unknown:
            # A misspelt filter must not silently answer everything.
            return error_response(400, _("Paramètre inconnu : %(names)s.") % {"names": ", ".join(unknown)[:200]})
        if request.method not in SAFE_METHODS and not request.api_token.can_write:
            return error_response(403, _("Ce jeton est en lecture seule : il ne permet pas de modifier les données."))
        with scope(organisation=sorted(request.access.read_org_ids)):
            return run(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Patrimoine — API REST",
    version="1",
    description=(
        "API de Patrimoine, le SIP mutualisé des collectivités. Mêmes droits que l'interface : un jeton "
        "agit pour son utilisateur, dans la collectivité où il a été créé. Listes paginées par curseur "
        "(`next_cursor`), `ETag` sur chaque fiche et `If-Match` obligatoire pour la modifier. "
        'Erreurs en JSON : `{"detail": "…"}`.'
    ),
    urls_namespace="api-v1",
    docs_url=None,
    auth=TokenAuth(),
)
api.add_decorator(scoped, mode="view")


def error_response(status: int, detail: str, **extra) -> JsonResponse:
    response = JsonResponse({"detail": detail, **extra}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="patrimoine"'
    return response


@api.exception_handler(TokenRefused)
def _token_refused(request, exc):
    return error_response(401, str(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(401, _("Authentification requise : envoyez « Authorization: Bearer <jeton> »."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, _("Ressource introuvable."))


@api.exception_handler(PermissionRefused)
def _refused(request, exc):
    return error_response(403, exc.message)


@api.exception_handler(ConcurrentEditError)
def _conflict(request, exc):
    return error_response(412 if request.headers.get("If-Match") else 409, exc.message)


@api.exception_handler(DomainError)
def _domain(request, exc):
    return error_response(400, exc.message)


@api.exception_handler(Precondition)
def _precondition(request, exc):
    return error_response(exc.status, exc.message)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in exc.errors
    ]
    return error_response(422, _("Données invalides : voyez « errors » pour le détail."), errors=errors)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, _("Corps de requête trop volumineux (256 Kio au plus)."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return error_response(400, _("Requête refusée."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:  # ninja could not parse the body
        return error_response(400, _("Corps de requête illisible : envoyez du JSON valide (UTF-8)."))
    return error_response(exc.status_code, _("Requête refusée."))


# --- ETag and If-Match ------------------------------------------------------------------------


def etag_of(payload) -> str:
    body = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_for(schema: type[Schema], obj) -> str:
    payload = obj if isinstance(obj, Schema) else schema.from_orm(obj)
    return etag_of(payload.model_dump(mode="json"))


def with_etag(response, schema: type[Schema], obj):
    """Set the ETag of a detail answer (computed from what is sent); return the object for ninja to serialise."""
    response["ETag"] = _etag_for(schema, obj)
    return obj


def require_if_match(request: HttpRequest, schema: type[Schema], current) -> None:
    """A change must name the version it was made from: 428 without If-Match, 412 if stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise Precondition(428, _("En-tête If-Match obligatoire : renvoyez l'ETag lu avec GET."))
    etag = _etag_for(schema, current)
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    if "*" not in candidates and etag not in candidates:
        raise Precondition(412, _("La ressource a changé depuis votre lecture (ETag différent) : relisez-la."))


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 413: Error, 422: ValidationErrors}
WRITE_ERRORS = {**ERRORS, 409: Error}
UPDATE_ERRORS = {**WRITE_ERRORS, 412: Error, 428: Error}
