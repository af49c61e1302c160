"""Reading what an Open311 client sends, strictly: UTF-8 only, a bounded number of fields, W3C dates.

Django would decode a query string or a form in another charset, or replace invalid bytes with
U+FFFD, silently; GeoReport v2 says the text is UTF-8, so anything else is refused with a clear
French message (`BadInput`, turned into a 4xx by the views) and nothing is created.
"""

import re
from datetime import date, datetime, time
from urllib.parse import parse_qsl

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_FIELDS = 60
MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_BYTES = 8 * 1024

_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$")


def nul_message() -> str:
    return _("Les données envoyées contiennent un caractère nul.")


class BadInput(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_urlencoded(raw: bytes) -> dict[str, list[str]]:
    """Fields of an application/x-www-form-urlencoded text; UTF-8 (raw or percent-encoded) only."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError as exc:
        raise BadInput(400, _("Les données envoyées ne sont pas encodées en UTF-8.")) from exc
    except ValueError as exc:
        raise BadInput(400, _("Trop de champs envoyés (%(max)d au plus).") % {"max": MAX_FIELDS}) from exc
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BadInput(400, nul_message())
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def query_fields(request) -> dict[str, list[str]]:
    raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "") if hasattr(request, "environ") else b""
    if len(raw) > MAX_QUERY_BYTES:
        raise BadInput(414, _("L'adresse demandée est trop longue."))
    return parse_urlencoded(raw)


def body_fields(request) -> dict[str, list[str]]:
    """The fields of a POST: urlencoded (the specification's format) or multipart without files."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise BadInput(413, _("Requête trop volumineuse (%(max)d Kio au plus).") % {"max": MAX_BODY_BYTES // 1024})
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type in ("", "application/x-www-form-urlencoded"):
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise BadInput(413, _("Requête trop volumineuse (%(max)d Kio au plus).") % {"max": MAX_BODY_BYTES // 1024})
        return parse_urlencoded(body)
    if content_type == "multipart/form-data":
        try:
            post = request.POST
        except Exception as exc:  # noqa: BLE001 — any malformed multipart body is the client's error
            raise BadInput(400, _("Le corps de la requête est mal formé.")) from exc
        if request.FILES:
            raise BadInput(400, _("Les fichiers ne sont pas acceptés : indiquez l'adresse du média dans media_url."))
        fields = {name: post.getlist(name) for name in post}
        if len(fields) > MAX_FIELDS:
            raise BadInput(400, _("Trop de champs envoyés (%(max)d au plus).") % {"max": MAX_FIELDS})
        if any("\x00" in name + "".join(values) for name, values in fields.items()):
            raise BadInput(400, nul_message())
        if any("\ufffd" in value for values in fields.values() for value in values):
            raise BadInput(400, _("Les données envoyées ne sont pas encodées en UTF-8."))
        return fields
    raise BadInput(
        400,
        _("Format d'envoi non pris en charge (%(type)s) : envoyez application/x-www-form-urlencoded en UTF-8.")
        % {"type": content_type[:60]},
    )


def one(fields: dict[str, list[str]], name: str) -> str:
    """The value of a field (the last one if repeated), stripped; "" when absent or empty."""
    values = fields.get(name)
    return values[-1].strip() if values else ""


def joined(fields: dict[str, list[str]], name: str) -> str:
    """A list argument, « comma delimited » and possibly declared several times: a,b&name=c → a,b,c."""
    return ",".join(value for value in fields.get(name, []) if value.strip())


def parse_w3c(value: str, name: str) -> datetime:
    """A date of the W3C profile of ISO 8601: a full date-time with its offset, or a day (Paris)."""
    error = BadInput(
        400,
        _(
            "%(name)s : date « %(value)s » invalide. Attendu : le format W3C avec le fuseau horaire, "
            "par exemple 2026-01-31T08:00:00Z ou 2026-01-31T09:00:00+01:00."
        )
        % {"name": name, "value": value[:40]},
    )
    # A "+" the client left unencoded in a query string arrives as a space: read it as the offset.
    value = re.sub(r" (\d{2}:\d{2})$", r"+\1", value)
    if not _W3C.match(value):
        raise error
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=timezone.get_current_timezone())
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise error from exc


def comma_list(value: str, *, limit: int, name: str) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > limit:
        raise BadInput(400, _("%(name)s : %(max)d valeurs au plus.") % {"name": name, "max": limit})
    return items
