from django import forms
from django.utils.translation import gettext_lazy as _

from patrimoine.imports.models import Kind
from patrimoine.imports.reading import MAX_BYTES
from patrimoine.imports.schema import FIELDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Données à importer"), choices=Kind.choices)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "CSV (séparateur « ; » ou « , », UTF-8 ou Windows-1252), classeur Excel .xlsx ou GeoJSON ; "
            "%(max)d Mo au plus."
        )
        % {"max": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.geojson,.json"}),
    )
    mapping_name = forms.ChoiceField(label=_("Correspondance de colonnes enregistrée"), required=False)

    def __init__(self, *args, mappings=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted({m.name for m in mappings})
        self.fields["mapping_name"].choices = [("", _("— reconnaissance automatique des en-têtes —"))] + [
            (name, name) for name in names
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(max)d Mo : découpez-le en plusieurs fichiers.")
                % {"max": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file: which of our fields it fills (or « ignorer »)."""

    save_as = forms.CharField(
        label=_("Enregistrer cette correspondance sous le nom"),
        required=False,
        max_length=80,
        help_text=_(
            "Par exemple « Export GMAO 2019 » : elle sera proposée pour les prochains fichiers de cette source."
        ),
    )

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— ignorer cette colonne —"))] + [
            (f.key, f"{f.label}{' *' if f.required else ''}") for f in FIELDS[job.kind]
        ]
        self.columns = []
        for index, header in enumerate(job.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Colonne %(n)d sans titre") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
            )
            self.columns.append(name)
        self.order_fields([*self.columns, "save_as"])

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): self.cleaned_data[name] for name in self.columns if self.cleaned_data[name]}
