"""The few big categories of the citizen portal, each mapped to the trade that usually handles it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    hint: str
    trade_code: str | None


CATEGORIES: tuple[Category, ...] = (
    Category("eclairage", _("Éclairage public"), _("Lampadaire éteint, qui clignote"), "electricite"),
    Category("voirie", _("Route et trottoir"), _("Trou, pavé descellé, panneau"), "voirie"),
    Category("proprete", _("Propreté"), _("Dépôt sauvage, poubelle pleine"), "nettoyage"),
    Category("espaces-verts", _("Arbres et espaces verts"), _("Branche tombée, haie"), "espaces-verts"),
    Category("eau", _("Fuite d'eau"), _("Eau qui coule, bouche d'égout"), "plomberie"),
    Category("batiment", _("Bâtiment public"), _("École, mairie, salle de sport"), None),
    Category("autre", _("Autre problème"), _("Tout le reste"), None),
)
BY_CODE = {category.code: category for category in CATEGORIES}


def category_of(code: str) -> Category | None:
    return BY_CODE.get(code)
