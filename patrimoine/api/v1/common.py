"""Helpers every resource module uses: page schemas, list parameters, references in bodies."""

from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import create_model

from patrimoine.api.v1.pagination import DEFAULT_LIMIT, MAX_LIMIT
from patrimoine.api.v1.types import SafeDateTime, Text
from patrimoine.core.errors import DomainError

STAMPS = ("created_at", "-created_at", "updated_at", "-updated_at")


def page_of(item: type[Schema]) -> type[Schema]:
    """`{"items": [...], "next_cursor": "…" | null}` for one resource."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),
        next_cursor=(
            str | None,
            Field(None, description="À passer en `cursor` pour la page suivante ; null à la fin."),
        ),
    )


def list_params(name: str, *orderings: str, default: str):
    """The query parameters of a list: limit, cursor, ordering (among `orderings`), updated_since."""
    choices = Literal[tuple(orderings)]  # type: ignore[valid-type]
    return create_model(
        f"{name}ListParams",
        __base__=Schema,
        limit=(int, Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Nombre d'éléments par page.")),
        cursor=(Text(1000) | None, Field(None, description="Curseur opaque rendu par la page précédente.")),
        ordering=(choices, Field(default, description="Tri : un champ, précédé de « - » pour l'ordre décroissant.")),
        updated_since=(SafeDateTime | None, Field(None, description="Seulement ce qui a changé depuis (ISO 8601).")),
    )


def referenced(getter, access, pk, label: str):
    """An object named in a body, through the same selector as a page: unknown → a clear 400."""
    if pk is None:
        return None
    try:
        return getter(access, pk)
    except Http404 as exc:
        raise DomainError(_("%(label)s introuvable : %(pk)s.") % {"label": label, "pk": pk}) from exc


def since(queryset, params):
    return queryset.filter(updated_at__gte=params.updated_since) if params.updated_since else queryset
