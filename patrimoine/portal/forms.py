"""Forms of the public portal and of the counter: parse and bind labels/errors; rules live in services."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from patrimoine.assets.models import Building
from patrimoine.intake.models import Urgency
from patrimoine.portal.categories import CATEGORIES
from patrimoine.portal.models import PublicReport
from patrimoine.portal.texting import MOBILE_ERROR, french_mobile

CATEGORY_CHOICES = [(c.code, c.label) for c in CATEGORIES]


def coordinate(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip().replace(",", ".")) if str(value or "").strip() else None
    except InvalidOperation:
        return None


class WhereForm(forms.Form):
    """Step 1 (GET): what and where."""

    categorie = forms.ChoiceField(label=_("Quel est le problème ?"), choices=CATEGORY_CHOICES, widget=forms.RadioSelect)
    lieu = forms.CharField(
        label=_("Adresse ou lieu"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : 12 rue des Lilas, ou école Jules Ferry."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        data["latitude"], data["longitude"] = coordinate(data.get("lat")), coordinate(data.get("lon"))
        if not (data.get("lieu") or "").strip() and data["latitude"] is None:
            self.add_error("lieu", _("Indiquez l'adresse ou le lieu du problème."))
        return data


class ContactFields(forms.Form):
    contact_name = forms.CharField(
        label=_("Votre nom"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("Votre adresse électronique"),
        required=False,
        help_text=_("Pour recevoir les nouvelles de votre signalement."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Cette adresse électronique n'est pas valide (exemple : nom@exemple.fr).")},
    )
    contact_phone = forms.CharField(
        label=_("Votre téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    contact_consent = forms.BooleanField(
        label=_(
            "J'accepte que le service technique garde ces coordonnées pour me recontacter à propos de ce signalement."
        ),
        required=False,
    )


class CitizenReportForm(ContactFields):
    """Step 2 (POST): the place among known ones, the description, a photo, optional contact."""

    categorie = forms.ChoiceField(choices=CATEGORY_CHOICES, widget=forms.HiddenInput)
    lieu = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    batiment = forms.ModelChoiceField(
        label=_("Est-ce l'un de ces lieux ?"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("Aucun : l'adresse indiquée"),
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Décrivez le problème"),
        max_length=4000,
        help_text=_("Ce que vous voyez, et où exactement (devant le n° 12, côté parking…)."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Décrivez le problème en quelques mots.")},
    )
    photo = forms.ImageField(
        label=_("Une photo (facultatif)"),
        required=False,
        help_text=_("Elle sera réduite avant l'envoi au service."),
        error_messages={"invalid_image": _("Ce fichier n'est pas une photo : joignez une image JPEG, PNG ou WebP.")},
    )
    field_order = ["batiment", "description", "photo", "contact_name", "contact_email", "contact_phone"]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batiment"].queryset = Building.objects.filter(pk__in=[p.pk for p in places])
        if not places:
            del self.fields["batiment"]


class CounterReportForm(ContactFields):
    """The counter: an agent files for a person, whose consent and preferred channel are recorded."""

    categorie = forms.ChoiceField(label=_("Quel est le problème ?"), choices=CATEGORY_CHOICES, widget=forms.RadioSelect)
    batiment = forms.ModelChoiceField(
        label=_("Bâtiment concerné (s'il y en a un)"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("— Aucun : voir l'adresse —"),
    )
    lieu = forms.CharField(label=_("Adresse ou lieu précis"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description du problème"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    urgency = forms.ChoiceField(label=_("Urgence"), choices=Urgency.choices, initial=Urgency.NORMAL)
    contact_address = forms.CharField(
        label=_("Adresse postale"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Comment la personne souhaite-t-elle être recontactée ?"),
        choices=PublicReport.Channel.choices,
        initial=PublicReport.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    sms_consent = forms.BooleanField(
        label=_("Elle accepte aussi de recevoir le reçu par SMS sur son mobile."),
        required=False,
    )
    field_order = [
        "categorie",
        "batiment",
        "lieu",
        "description",
        "urgency",
        "contact_name",
        "contact_phone",
        "contact_email",
        "contact_address",
        "preferred_channel",
        "contact_consent",
        "sms_consent",
    ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = _("Nom de la personne")
        self.fields["contact_email"].label = _("Son adresse électronique")
        self.fields["contact_email"].help_text = ""
        self.fields["contact_phone"].label = _("Son téléphone")
        self.fields["contact_consent"].label = _(
            "La personne accepte que ses coordonnées soient gardées pour la recontacter à propos de cette demande."
        )
        self.fields["batiment"].queryset = Building.objects.filter(organisation=organisation).order_by("name")
        self.fields["contact_phone"].help_text = _("Un mobile (06, 07) permet d'envoyer le reçu par SMS.")

    def clean(self):
        data = super().clean()
        if data.get("sms_consent") and french_mobile(data.get("contact_phone", "")) is None:
            self.add_error("contact_phone", MOBILE_ERROR)
        return data


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Réponse au demandeur (publique)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible sur sa page de suivi et envoyée par courriel s'il l'a accepté. Pas de nom d'agent."),
    )
