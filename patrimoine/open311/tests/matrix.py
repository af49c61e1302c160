"""Open311's part of the isolation matrix (patrimoine/core/tests/test_isolation_matrix.py).

Venansault publishes Open311 with one service in service and one withdrawn, and holds an API key.
Outsiders must not reach its key or its services on the management pages, and the public API must
not expose what Venansault does not publish: its withdrawn service, its internal requests (filed
in the application, not through Open311), a token it never issued.
"""

from django_scopes import scopes_disabled

from patrimoine.open311.models import ApiKey, Service


def venansault_open311(o: dict, secret: str) -> dict:
    venansault = o["venansault"]
    with scopes_disabled():
        Service.objects.create(organisation=venansault, code="eclairage", name="Éclairage")
        withdrawn = Service.objects.create(
            organisation=venansault, code="retire", name=f"Retiré {secret}", is_active=False
        )
        key = ApiKey.objects.create(
            organisation=venansault, name=f"Appli {secret}", prefix="abcdefgh", key_hash="0" * 64
        )
    return {"open311_withdrawn": withdrawn, "open311_key": key}


def open311_kwargs(kind: str, params: set[str], o: dict, secret: str) -> dict:
    if "open311_key" not in o:
        o.update(venansault_open311(o, secret))
    kwargs = {}
    for param in params:
        if param == "pk":
            kwargs["pk"] = o["open311_key"].pk if kind == "key" else o["open311_withdrawn"].pk
        elif param == "service_code":
            kwargs["service_code"] = o["open311_withdrawn"].code
        elif param == "service_request_id":
            kwargs["service_request_id"] = o["request"].reference  # filed in the application: not published
        elif param == "token":
            kwargs["token"] = "jeton-inconnu"
        else:
            raise AssertionError(f"Unknown Open311 URL parameter {param!r}: teach open311/tests/matrix.py about it.")
    return kwargs
