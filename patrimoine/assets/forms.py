"""Forms of the asset registry (French labels come from the models' verbose names)."""

import uuid

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from patrimoine.assets import selectors
from patrimoine.assets.models import AssetStatus, Building, Equipment, EquipmentCategory, Level, Site, Space
from patrimoine.organisations.access import Access

ADDRESS_FIELDS = ["address", "postal_code", "city", "latitude", "longitude"]
COORDINATE_HELP = _("En degrés décimaux (WGS 84), par exemple 46.616 et -1.397.")


def _choice(model, name: str, *, required: bool = True) -> forms.ModelChoiceField:
    """The form field of the foreign key `model.name`, declared on the form because tenant
    managers refuse a query outside a scope: the real choices are set in the form's __init__,
    for the user who fills it."""
    field = model._meta.get_field(name)
    return forms.ModelChoiceField(
        queryset=field.related_model._base_manager.none(), label=field.verbose_name, required=required
    )


class _AssetForm(forms.ModelForm):
    """Common behaviour: French help on coordinates, numeric keyboards on phones, fieldsets."""

    # (html id, legend, field names); None: one group with every visible field.
    fieldsets: tuple | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            if name in self.fields:
                self.fields[name].help_text = COORDINATE_HELP
                self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})
        if "postal_code" in self.fields:
            self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        if "surface_m2" in self.fields:
            self.fields["surface_m2"].widget.attrs.update({"inputmode": "decimal"})
        if "status" in self.fields:
            # Archiving goes through its own action (it archives the contents too); the form only
            # offers « archivé » to keep it, or to put an archived asset back in service.
            keep = {AssetStatus.IN_SERVICE, AssetStatus.OUT_OF_SERVICE, self.instance.status}
            self.fields["status"].choices = [(v, label) for v, label in AssetStatus.choices if v in keep]

    def grouped(self) -> list[tuple]:
        """The visible fields by fieldset, for the template: [(id, legend, [bound fields])]."""
        if not self.fieldsets:
            return [("", None, self.visible_fields())]
        return [(html_id, legend, [self[name] for name in names]) for html_id, legend, names in self.fieldsets]

    def service_fields(self) -> dict:
        """What the service receives: the cleaned values of the model fields."""
        return {name: value for name, value in self.cleaned_data.items() if name in self._meta.fields}


class _VersionedForm(_AssetForm):
    """Carries the version the user loaded, for optimistic locking."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False


class SiteForm(_AssetForm):
    fieldsets = (
        ("fs-identity", _("Site"), ("name", "code", "status")),
        ("fs-address", _("Adresse"), ADDRESS_FIELDS),
    )

    class Meta:
        model = Site
        fields = ["name", "code", "status", *ADDRESS_FIELDS]


class BuildingForm(_VersionedForm):
    site = _choice(Building, "site")
    fieldsets = (
        ("fs-identity", _("Bâtiment"), ("site", "name", "code", "status")),
        ("fs-address", _("Adresse"), ADDRESS_FIELDS),
        ("fs-facts", _("Caractéristiques"), ("surface_m2", "construction_year")),
        ("fs-erp", _("Établissement recevant du public"), ("is_erp", "erp_type", "erp_category")),
    )

    class Meta:
        model = Building
        fields = [
            "site",
            "name",
            "code",
            "status",
            *ADDRESS_FIELDS,
            "surface_m2",
            "construction_year",
            "is_erp",
            "erp_type",
            "erp_category",
        ]

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        sites = selectors.sites_visible_to(access).filter(organisation_id__in=access.write_org_ids)
        if not self.instance._state.adding:
            sites = sites.filter(organisation_id=self.instance.organisation_id)
        sites = sites.filter(~Q(status=AssetStatus.ARCHIVED) | Q(pk=self.instance.site_id))
        self.fields["site"].queryset = sites.order_by("search_text")
        self.fields["construction_year"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["erp_type"].help_text = _("Obligatoire pour un établissement recevant du public.")
        self.fields["erp_category"].help_text = _("Obligatoire pour un établissement recevant du public.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_erp"):
            if not cleaned.get("erp_type"):
                self.add_error("erp_type", _("Indiquez le type ERP de cet établissement recevant du public."))
            if not cleaned.get("erp_category"):
                self.add_error("erp_category", _("Indiquez la catégorie ERP de cet établissement recevant du public."))
        else:
            cleaned["erp_type"] = ""
            cleaned["erp_category"] = None
        return cleaned


class LevelForm(_AssetForm):
    class Meta:
        model = Level
        fields = ["name", "position", "status"]


class SpaceForm(_AssetForm):
    class Meta:
        model = Space
        fields = ["name", "code", "surface_m2", "status"]


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class EquipmentForm(_VersionedForm):
    site = _choice(Equipment, "site", required=False)
    building = _choice(Equipment, "building", required=False)
    level = _choice(Equipment, "level", required=False)
    space = _choice(Equipment, "space", required=False)
    """Equipment and where it is: a site, or a building with optionally a level and a space.

    The level and space lists hold the chosen building's; changing the building reloads them
    (htmx, or on submit without JavaScript).
    """

    fieldsets = (
        ("fs-identity", _("Équipement"), ("name", "code", "category", "status")),
        ("fs-placement", _("Emplacement"), ("building", "level", "space", "site")),
        ("fs-details", _("Fiche technique"), ("brand", "model_name", "serial_number", "installed_on")),
    )

    class Meta:
        model = Equipment
        fields = [
            "name",
            "code",
            "category",
            "status",
            "site",
            "building",
            "level",
            "space",
            "brand",
            "model_name",
            "serial_number",
            "installed_on",
        ]
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, access: Access, **kwargs):
        super().__init__(*args, **kwargs)
        writable = access.write_org_ids
        if not self.instance._state.adding:
            writable = {self.instance.organisation_id} & set(writable)
        self.fields["category"].queryset = EquipmentCategory.objects.order_by("name")
        self.fields["site"].help_text = _("Inutile si vous choisissez un bâtiment : son site est repris.")
        self.fields["site"].queryset = (
            selectors.sites_visible_to(access)
            .filter(organisation_id__in=writable)
            .filter(~Q(status=AssetStatus.ARCHIVED) | Q(pk=self.instance.site_id))
            .order_by("search_text")
        )
        self.fields["building"].queryset = (
            selectors.buildings_visible_to(access)
            .filter(organisation_id__in=writable)
            .filter(~Q(status=AssetStatus.ARCHIVED) | Q(pk=self.instance.building_id))
            .order_by("search_text")
        )
        building_id = self._chosen_building_id()
        self.fields["level"].queryset = (
            selectors.levels_visible_to(access).filter(building_id=building_id).order_by("position", "name")
        )
        self.fields["space"].queryset = (
            selectors.spaces_visible_to(access)
            .filter(level__building_id=building_id)
            .select_related("level")
            .order_by("level__position", "name")
        )
        self.fields["space"].label_from_instance = lambda space: f"{space.level.name} — {space.name}"
        self.fields["building"].widget.attrs.update({"data-reload-placement": ""})

    def _chosen_building_id(self):
        if self.is_bound:
            return _uuid_or_none(self.data.get(self.add_prefix("building")))
        if "building" in self.initial:
            initial = self.initial["building"]
            return _uuid_or_none(getattr(initial, "pk", initial))
        return self.instance.building_id

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("site") and not cleaned.get("building") and "site" not in self.errors:
            self.add_error("site", _("Indiquez le site ou le bâtiment où se trouve l'équipement."))
        building = cleaned.get("building")
        if building is not None:
            if cleaned.get("site") and cleaned["site"].pk != building.site_id:
                self.add_error("building", _("Ce bâtiment ne se trouve pas sur le site choisi."))
            elif not cleaned.get("site"):
                cleaned["site"] = building.site
        space, level = cleaned.get("space"), cleaned.get("level")
        if space is not None and level is not None and space.level_id != level.pk:
            self.add_error("space", _("Ce local ne se trouve pas au niveau choisi."))
        return cleaned


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Photo ou document PDF"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    title = forms.CharField(label=_("Titre (facultatif)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("JPEG, PNG, WebP ou PDF, %(limit)s au plus.") % {
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }
