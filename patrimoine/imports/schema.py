"""What each kind of import reads: its fields, how each cell is parsed, and the French column
headers of other SIPs' exports that are recognised automatically (case, accents, spaces and
punctuation do not matter: « SURFACE (m²) » and « surface m2 » are the same header)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import AssetStatus, Building
from patrimoine.imports import cells
from patrimoine.imports.models import Kind
from patrimoine.workorders.models import WorkOrder


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    parse: Callable
    required: bool = False
    synonyms: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        """Normalised headers that map to this field: its synonyms, its label and its own key."""
        return {cells.normalise(word) for word in (*self.synonyms, str(self.label), self.key)}


STATUS = cells.choice(AssetStatus.choices, {"actif": AssetStatus.IN_SERVICE, "hs": AssetStatus.OUT_OF_SERVICE})
SURFACE = (
    "Surface (m²)",
    "Surface",
    "Surface m2",
    "SHON",
    "SDP",
    "Surface plancher",
    "Surface utile",
    "Surface totale",
)
BUILDING_CODE = ("Code bâtiment", "Code bat", "Bâtiment", "Code du bâtiment", "Réf bâtiment")
LEVEL = ("Niveau", "Étage", "Etage", "Niveau / étage")

BUILDING_FIELDS = (
    Field(
        "code",
        _("Code bâtiment"),
        cells.text(30),
        True,
        ("Code", "Code du bâtiment", "Référence", "Réf", "Réf bâtiment", "Identifiant", "N° bâtiment"),
    ),
    Field("name", _("Libellé"), cells.text(150), True, ("Nom", "Nom du bâtiment", "Désignation", "Intitulé")),
    Field("site_code", _("Code site"), cells.text(30), False, ("Code du site",)),
    Field("site_name", _("Site"), cells.text(150), False, ("Nom du site", "Libellé site", "Groupe immobilier")),
    Field("address", _("Adresse"), cells.text(250), False, ("Adresse postale", "Rue", "Voie", "Adresse 1")),
    Field("postal_code", _("Code postal"), cells.text(5), False, ("CP",)),
    Field("city", _("Commune"), cells.text(100), False, ("Ville", "Localité")),
    Field("surface_m2", _("Surface (m²)"), cells.decimal, False, SURFACE),
    Field("construction_year", _("Année de construction"), cells.year, False, ("Année construction", "Construit en")),
    Field("is_erp", _("ERP"), cells.boolean, False, ("Établissement recevant du public", "Est ERP")),
    Field("erp_type", _("Type ERP"), cells.choice(Building.ErpType.choices), False, ("Type d'ERP",)),
    Field("erp_category", _("Catégorie ERP"), cells.choice(Building.ErpCategory.choices), False, ("Cat ERP",)),
    Field("latitude", _("Latitude"), cells.decimal, False, ("Lat",)),
    Field("longitude", _("Longitude"), cells.decimal, False, ("Lon", "Long", "Lng")),
    Field("status", _("Statut"), STATUS, False, ("État", "Etat")),
)

SPACE_FIELDS = (
    Field("building_code", _("Code bâtiment"), cells.text(30), True, BUILDING_CODE),
    Field("level", _("Niveau"), cells.text(80), False, LEVEL),
    Field("name", _("Libellé"), cells.text(120), True, ("Nom", "Désignation", "Local", "Pièce", "Nom du local")),
    Field("code", _("Code local"), cells.text(30), False, ("Code", "N° local", "Numéro", "Numéro de local")),
    Field("surface_m2", _("Surface (m²)"), cells.decimal, False, SURFACE),
    Field("status", _("Statut"), STATUS, False, ("État", "Etat")),
)

EQUIPMENT_FIELDS = (
    Field(
        "code",
        _("Code équipement"),
        cells.text(40),
        True,
        ("Code", "N° inventaire", "N° d'inventaire", "Numéro d'inventaire", "Identifiant", "Référence"),
    ),
    Field("name", _("Libellé"), cells.text(150), True, ("Désignation", "Nom", "Équipement", "Intitulé")),
    Field("category", _("Famille"), cells.text(100), True, ("Catégorie", "Type d'équipement", "Famille d'équipement")),
    Field("building_code", _("Code bâtiment"), cells.text(30), False, BUILDING_CODE),
    Field("site_code", _("Code site"), cells.text(30), False, ("Site",)),
    Field("level", _("Niveau"), cells.text(80), False, LEVEL),
    Field("space_code", _("Code local"), cells.text(120), False, ("Local", "Pièce", "N° local")),
    Field("brand", _("Marque"), cells.text(80), False, ("Fabricant", "Constructeur")),
    Field("model_name", _("Modèle"), cells.text(80), False, ("Référence modèle", "Type modèle")),
    Field("serial_number", _("N° de série"), cells.text(80), False, ("Numéro de série", "Série", "SN")),
    Field(
        "installed_on",
        _("Date mise en service"),
        cells.parse_date,
        False,
        ("Date de mise en service", "Mise en service", "Date MES", "Date d'installation", "Date installation"),
    ),
    Field("status", _("Statut"), STATUS, False, ("État", "Etat")),
)

ITEM_FIELDS = (
    Field("reference", _("Référence"), cells.text(40), True, ("Réf", "Code article", "Code", "Référence article")),
    Field("label", _("Désignation"), cells.text(200), True, ("Libellé", "Nom", "Article", "Libellé article")),
    Field("unit", _("Unité"), cells.text(20), False, ("U", "Unité de mesure", "Conditionnement")),
    Field("category", _("Famille"), cells.text(80), False, ("Catégorie", "Famille article")),
    Field("is_active", _("Actif"), cells.boolean, False, ("Actif ?", "En activité")),
)

CONTRACTOR_FIELDS = (
    Field(
        "name",
        _("Raison sociale"),
        cells.text(150),
        True,
        ("Nom", "Entreprise", "Prestataire", "Fournisseur", "Libellé", "Société"),
    ),
    Field("siret", _("SIRET"), cells.text(20), False, ("N° SIRET", "Numéro SIRET")),
    Field("email", _("Courriel"), cells.text(254), False, ("E-mail", "Email", "Mail", "Adresse électronique")),
    Field("phone", _("Téléphone"), cells.text(30), False, ("Tél", "Tel", "Téléphone fixe", "Portable")),
    Field("trades", _("Corps de métier"), cells.text(300), False, ("Métiers", "Métier", "Corps d'état")),
)

WORKORDER_FIELDS = (
    Field(
        "legacy_reference",
        _("Ancien numéro"),
        cells.text(40),
        False,
        ("N° BT", "N° OT", "Numéro", "N° bon", "Numéro de bon", "Référence", "Référence BT", "N° intervention"),
    ),
    Field("title", _("Intitulé"), cells.text(200), True, ("Libellé", "Objet", "Titre", "Désignation")),
    Field("description", _("Description"), cells.text(5000), False, ("Commentaire", "Observations", "Compte rendu")),
    Field("trade", _("Corps de métier"), cells.text(80), True, ("Métier", "Corps d'état", "Spécialité")),
    Field("kind", _("Nature"), cells.choice(WorkOrder.Kind.choices), False, ("Type d'intervention",)),
    Field(
        "priority",
        _("Priorité"),
        cells.choice(WorkOrder.Priority.choices, {"normal": "2_normale", "haute priorite": "3_haute"}),
        False,
    ),
    Field("building_code", _("Code bâtiment"), cells.text(30), False, BUILDING_CODE),
    Field("equipment_code", _("Code équipement"), cells.text(40), False, ("Équipement", "N° inventaire")),
    Field(
        "requested_on",
        _("Date demande"),
        cells.parse_date,
        False,
        ("Date de demande", "Date de création", "Créé le", "Date d'ouverture", "Date"),
    ),
    Field(
        "completed_on",
        _("Date de fin"),
        cells.parse_date,
        False,
        ("Date réalisation", "Date de réalisation", "Terminé le", "Date clôture", "Date de clôture"),
    ),
    Field(
        "status",
        _("Statut"),
        cells.choice(
            [(s, WorkOrder.Status(s).label) for s in ("termine", "valide", "annule")],
            {"clos": "valide", "cloture": "valide", "realise": "termine", "fait": "termine"},
        ),
        False,
        ("État", "Etat"),
    ),
    Field("labour_cost", _("Coût main-d'œuvre"), cells.decimal, False, ("Main-d'œuvre", "Coût MO", "MO")),
    Field("material_cost", _("Coût matériel"), cells.decimal, False, ("Fournitures", "Matériel", "Coût fournitures")),
    Field(
        "external_cost",
        _("Coût externe"),
        cells.decimal,
        False,
        ("Prestations externes", "Sous-traitance", "Montant HT", "Montant"),
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.BUILDINGS: BUILDING_FIELDS,
    Kind.SPACES: SPACE_FIELDS,
    Kind.EQUIPMENT: EQUIPMENT_FIELDS,
    Kind.ITEMS: ITEM_FIELDS,
    Kind.CONTRACTORS: CONTRACTOR_FIELDS,
    Kind.WORKORDERS: WORKORDER_FIELDS,
}


def fields_of(kind: str) -> dict[str, Field]:
    return {field.key: field for field in FIELDS[kind]}


def guess_mapping(kind: str, headers: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """Column index (as text) → field key, from a saved mapping first, then the synonyms table.
    Each field is taken by the first column that names it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    known = fields_of(kind)
    for index, header in enumerate(headers):
        key = cells.normalise(header)
        if not key:
            continue
        target = (saved or {}).get(key)
        if target is None:
            target = next((field.key for field in FIELDS[kind] if key in field.headers()), None)
        if target in known and target not in taken:
            mapping[str(index)] = target
            taken.add(target)
    return mapping
