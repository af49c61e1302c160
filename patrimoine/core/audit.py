"""The tamper-evident audit trail: request context, hash chain, verification.

Each `AuditEntry` stores `prev_hash` (the hash of the entry before it) and
`hash = SHA-256(prev_hash + canonical JSON of its own content)`. Writers serialise on the chain
head (the `AuditChainHead` row, locked with SELECT … FOR UPDATE until commit; SQLite has one writer
at a time), so two requests never chain onto the same predecessor. `verify_chain` walks the entries in
id order and names the first one whose hash or link does not match.
"""

import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from patrimoine.core.models import AuditChainHead, AuditEntry

CHAIN_LOCK_KEY = 727_001  # pg_advisory_xact_lock key of the audit chain


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""


_request_context: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def current_context() -> RequestContext:
    return _request_context.get() or RequestContext()


def client_ip(request) -> str:
    """REMOTE_ADDR, or the first X-Forwarded-For address when the proxy in front is trusted."""
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


class AuditContextMiddleware:
    """Remembers where the request comes from, for every audit entry written while it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_context.set(
            RequestContext(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            _request_context.reset(token)


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def normalise_data(data: dict | None) -> dict:
    """What the JSON column will give back (Decimals, dates, UUIDs and anything else as strings)."""
    return json.loads(json.dumps(data or {}, cls=_Encoder))


# Fields never copied into the (immutable) trail: secrets, and personal data that must stay erasable.
SNAPSHOT_EXCLUDED = frozenset(
    {
        "password",
        "requester_name",
        "requester_email",
        "requester_phone",
        "latitude",
        "longitude",
        "token",
        "search_text",  # derived, and it folds the requester's name in
    }
)
SNAPSHOT_TEXT_MAX = 300


def snapshot(instance) -> dict:
    """The object's own field values (foreign keys as ids), for the before/after of a create or delete."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SNAPSHOT_EXCLUDED or field.name in ("created_at", "updated_at"):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and len(value) > SNAPSHOT_TEXT_MAX:
            value = value[:SNAPSHOT_TEXT_MAX] + "…"
        elif hasattr(value, "name") and hasattr(value, "storage"):  # a file: its stored name
            value = value.name
        values[field.name] = value
    return normalise_data(values)


def canonical_content(entry: AuditEntry) -> str:
    content = {
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "organisation": entry.organisation_id,
        "actor": entry.actor_name,
        "kind": entry.kind,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "message": entry.message,
        "data": entry.data,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_content(entry)).encode()).hexdigest()


def lock_chain_head() -> AuditChainHead:
    """Serialise writers on the chain head row (held until commit); call inside a transaction.

    The row is made by the migration; should it be missing (an emptied database), writers
    serialise on an advisory lock while one of them creates it.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def append(entry: AuditEntry) -> AuditEntry:
    """Chain and insert `entry` (the caller holds the transaction)."""
    head = lock_chain_head()
    entry.at = timezone.now()  # taken under the lock: the chain's order is the order of time
    entry.prev_hash = head.last_hash
    entry.hash = entry_hash(head.last_hash, entry)
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(last_id=entry.pk, last_hash=entry.hash, count=head.count + 1)
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int | None
    at: object
    reason: str


def verify_chain(*, chunk_size: int = 2000) -> tuple[int, Break | None]:
    """Walk the whole trail; return (entries checked, first break or None)."""
    previous_hash = ""
    previous_id = 0
    checked = 0
    rows = AuditEntry._base_manager.order_by("id").iterator(chunk_size=chunk_size)
    for entry in rows:
        if entry.prev_hash != previous_hash:
            return checked, Break(
                entry.pk, entry.at, f"lien rompu : l'entrée précédente (après n° {previous_id}) manque ou a changé"
            )
        if entry_hash(entry.prev_hash, entry) != entry.hash:
            return checked, Break(entry.pk, entry.at, "contenu modifié : l'empreinte ne correspond plus")
        previous_hash, previous_id = entry.hash, entry.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    expected = (head.last_id, head.last_hash) if head else (0, "")
    if expected != (previous_id, previous_hash):
        return checked, Break(
            expected[0] or None, None, f"fin de chaîne : la dernière entrée connue (n° {expected[0]}) manque"
        )
    return checked, None
