"""The asset registry: sites → buildings → levels → spaces, and equipment at any of them."""

import unicodedata
from decimal import Decimal
from urllib.parse import quote

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class AssetStatus(models.TextChoices):
    IN_SERVICE = "en_service", _("En service")
    OUT_OF_SERVICE = "hors_service", _("Hors service")
    ARCHIVED = "archive", _("Archivé")


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'"})


def search_key(*parts) -> str:
    """Lower-case, accent-free text used for search: « École Jules-Ferry » → « ecole jules-ferry ».

    Stored in `search_text` so a search is a plain `contains` on every database (SQLite's LIKE
    only folds ASCII case, and neither database folds accents without extensions).
    """
    text = " ".join(str(part) for part in parts if part not in (None, ""))
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


class SearchTextField(models.TextField):
    """Filled from the row's SEARCH_FIELDS whenever the row is written by save() or bulk_create()
    (both call `pre_save`), so imports and the demo seed get searchable rows too. A queryset
    `update()` does not call it: services that update that way pass the value themselves."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if not hasattr(model_instance, "search_key"):  # historical model in a migration
            return super().pre_save(model_instance, add)
        value = model_instance.search_key()
        setattr(model_instance, self.attname, value)
        return value


class SearchableMixin(models.Model):
    """Rows found by the registry search: `search_text` holds SEARCH_FIELDS, folded."""

    SEARCH_FIELDS: tuple[str, ...] = ()

    search_text = SearchTextField()

    class Meta:
        abstract = True

    def search_key(self) -> str:
        return search_key(*(getattr(self, name) for name in self.SEARCH_FIELDS))


class AddressMixin(models.Model):
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )

    class Meta:
        abstract = True

    @property
    def full_address(self) -> str:
        return ", ".join(part for part in (self.address, f"{self.postal_code} {self.city}".strip()) if part)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def geo_uri(self) -> str:
        """Opens the phone's maps app (RFC 5870), on the coordinates or else on the address."""
        if self.has_coordinates:
            point = f"{self.latitude},{self.longitude}"
            return f"geo:{point}?q={point}({quote(str(self))})"
        return f"geo:0,0?q={quote(self.full_address)}" if self.full_address else ""

    @property
    def map_url(self) -> str:
        """The place on OpenStreetMap (works on any device)."""
        if self.has_coordinates:
            lat, lon = self.latitude, self.longitude
            return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
        if self.full_address:
            return f"https://www.openstreetmap.org/search?query={quote(self.full_address)}"
        return ""


class EquipmentCategory(models.Model):
    """National reference list of equipment families (CVC, électricité, SSI, aires de jeux…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    trade = models.ForeignKey(
        "organisations.Trade",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("corps de métier habituel"),
    )

    class Meta:
        verbose_name = _("catégorie d'équipement")
        verbose_name_plural = _("catégories d'équipement")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(SearchableMixin, TenantModel, AddressMixin):
    """A campus or an address: a groupe scolaire, a complexe sportif, a street for public lighting."""

    SEARCH_FIELDS = ("name", "code", "address", "postal_code", "city")

    name = models.CharField(_("nom"), max_length=150)
    code = models.CharField(_("code"), max_length=30)
    status = models.CharField(_("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="uniq_site_code")]

    def __str__(self) -> str:
        return self.name


class Building(SearchableMixin, TenantModel, AddressMixin):
    SEARCH_FIELDS = ("name", "code", "address", "postal_code", "city")

    class ErpType(models.TextChoices):
        J = "J", _("J — structures d'accueil pour personnes âgées ou handicapées")
        L = "L", _("L — salles d'audition, de conférences, de réunion, de spectacles")
        M = "M", _("M — magasins, centres commerciaux")
        N = "N", _("N — restaurants, débits de boissons")
        O = "O", _("O — hôtels")  # noqa: E741 — the regulation names the type O
        P = "P", _("P — salles de danse, salles de jeux")
        R = "R", _("R — établissements d'enseignement, colonies de vacances")
        S = "S", _("S — bibliothèques, centres de documentation")
        T = "T", _("T — salles d'exposition")
        U = "U", _("U — établissements sanitaires")
        V = "V", _("V — établissements de culte")
        W = "W", _("W — administrations, banques, bureaux")
        X = "X", _("X — établissements sportifs couverts")
        Y = "Y", _("Y — musées")
        PA = "PA", _("PA — établissements de plein air")

    class ErpCategory(models.IntegerChoices):
        C1 = 1, _("1re catégorie (plus de 1 500 personnes)")
        C2 = 2, _("2e catégorie (701 à 1 500 personnes)")
        C3 = 3, _("3e catégorie (301 à 700 personnes)")
        C4 = 4, _("4e catégorie (jusqu'à 300 personnes)")
        C5 = 5, _("5e catégorie (sous le seuil)")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("site"))
    name = models.CharField(_("nom"), max_length=150)
    code = models.CharField(_("code"), max_length=30)
    surface_m2 = models.DecimalField(
        _("surface (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    construction_year = models.PositiveSmallIntegerField(
        _("année de construction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
    )
    is_erp = models.BooleanField(_("établissement recevant du public"), default=False)
    erp_type = models.CharField(_("type ERP"), max_length=2, choices=ErpType.choices, blank=True)
    erp_category = models.PositiveSmallIntegerField(
        _("catégorie ERP"), choices=ErpCategory.choices, null=True, blank=True
    )
    status = models.CharField(_("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("bâtiment")
        verbose_name_plural = _("bâtiments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="uniq_building_code"),
            models.CheckConstraint(
                condition=models.Q(is_erp=False) | (~models.Q(erp_type="") & models.Q(erp_category__isnull=False)),
                name="building_erp_needs_type_and_category",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Level(TenantModel):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="levels", verbose_name=_("bâtiment"))
    name = models.CharField(_("nom"), max_length=80)
    position = models.SmallIntegerField(_("ordre"), default=0, help_text=_("0 = rez-de-chaussée, -1 = sous-sol"))
    status = models.CharField(_("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE)

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")
        ordering = ["building", "position"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="uniq_level_name")]

    def __str__(self) -> str:
        return self.name


class Space(TenantModel):
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("niveau"))
    name = models.CharField(_("nom"), max_length=120)
    code = models.CharField(_("code"), max_length=30, blank=True)
    surface_m2 = models.DecimalField(
        _("surface (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(_("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE)

    class Meta:
        verbose_name = _("local")
        verbose_name_plural = _("locaux")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Equipment(SearchableMixin, TenantModel):
    """An equipment item, attached to a site and, when inside, to a building, level or space."""

    SEARCH_FIELDS = ("name", "code", "brand", "model_name", "serial_number")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("site"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="equipment", verbose_name=_("bâtiment")
    )
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="equipment", verbose_name=_("niveau")
    )
    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, null=True, blank=True, related_name="equipment", verbose_name=_("local")
    )
    category = models.ForeignKey(EquipmentCategory, on_delete=models.PROTECT, verbose_name=_("catégorie"))
    name = models.CharField(_("désignation"), max_length=150)
    code = models.CharField(_("n° d'inventaire"), max_length=40)
    brand = models.CharField(_("marque"), max_length=80, blank=True)
    model_name = models.CharField(_("modèle"), max_length=80, blank=True)
    serial_number = models.CharField(_("n° de série"), max_length=80, blank=True)
    installed_on = models.DateField(_("mis en service le"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="uniq_equipment_code")]
        indexes = [
            # Search results past a thousand, and filtered lists, in alphabetical order (keyset pages).
            models.Index(fields=["organisation", "search_text", "id"], name="equipment_org_search_text"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
