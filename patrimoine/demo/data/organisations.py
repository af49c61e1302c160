"""La Roche-sur-Yon Agglomération and three member communes, their people and their teams."""

from decimal import Decimal

EPCI = "epci"
NESMY = "nesmy"
VENANSAULT = "venansault"
AUBIGNY = "aubigny"
COMMUNES = (NESMY, VENANSAULT, AUBIGNY)
ALL = (EPCI, *COMMUNES)

# slug: name, kind, INSEE code (SIREN is derived from it, Luhn-valid), address, postal code and city,
# e-mail and phone of the technical services, overhead rate (%) applied to charge-back statements.
ORGANISATIONS = {
    EPCI: {
        "name": "La Roche-sur-Yon Agglomération",
        "kind": "epci",
        "insee_code": "",
        "siren_base": "20004072",
        "address": "Place Napoléon, BP 829, 85021 La Roche-sur-Yon Cedex",
        "email": "services.techniques@larochesuryon-agglo.demo.patrimoine.local",
        "phone": "02 51 47 47 47",
        "overhead_rate": Decimal("8.00"),
    },
    NESMY: {
        "name": "Nesmy",
        "kind": "commune",
        "insee_code": "85160",
        "address": "1 place de la Mairie, 85310 Nesmy",
        "email": "services.techniques@nesmy.demo.patrimoine.local",
        "phone": "02 51 07 62 05",
        "overhead_rate": Decimal("0.00"),
    },
    VENANSAULT: {
        "name": "Venansault",
        "kind": "commune",
        "insee_code": "85300",
        "address": "22 rue de Lattre de Tassigny, 85190 Venansault",
        "email": "services.techniques@venansault.demo.patrimoine.local",
        "phone": "02 51 07 37 84",
        "overhead_rate": Decimal("0.00"),
    },
    AUBIGNY: {
        "name": "Aubigny-Les Clouzeaux",
        "kind": "commune",
        "insee_code": "85008",
        "address": "2 rue de la Mairie, Aubigny, 85430 Aubigny-Les Clouzeaux",
        "email": "services.techniques@aubigny-lesclouzeaux.demo.patrimoine.local",
        "phone": "02 51 31 60 24",
        "overhead_rate": Decimal("0.00"),
    },
}

# Where each organisation sits (postal code, city, centre latitude/longitude) for generated addresses.
TOWNS = {
    EPCI: ("85000", "La Roche-sur-Yon", Decimal("46.670500"), Decimal("-1.426000")),
    NESMY: ("85310", "Nesmy", Decimal("46.590600"), Decimal("-1.402600")),
    VENANSAULT: ("85190", "Venansault", Decimal("46.685300"), Decimal("-1.513900")),
    AUBIGNY: ("85430", "Aubigny-Les Clouzeaux", Decimal("46.599100"), Decimal("-1.463700")),
}

PASSWORD = "patrimoine"
# Administrators must use TOTP two-factor authentication: the demo's administrators (and the
# superuser) get a device with this published secret (base32), to add to any authenticator app, or
# read the current code with `python manage.py demo_totp`. A demo secret: never on a real instance.
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
EMAIL_DOMAIN = "demo.patrimoine.local"

# username, role (Membership.Role value), first name, last name, who they are.
# Prestataire accounts name their company (see catalogue.CONTRACTORS) in the last column.
ACCOUNTS = [
    # La Roche-sur-Yon Agglomération
    ("admin.epci", "admin", "Sébastien", "Morel", "DSI de l'agglomération, administrateur de Patrimoine"),
    ("gestionnaire.epci", "gestionnaire", "Isabelle", "Garnier", "Gestionnaire du patrimoine communautaire"),
    ("chef.epci", "chef", "Karim", "Haddad", "Responsable de la régie bâtiment mutualisée"),
    ("technicien.epci", "technicien", "Ahmed", "Benali", "Plombier de la régie mutualisée"),
    ("technicien2.epci", "technicien", "Julien", "Rousseau", "Chauffagiste (CVC) de la régie mutualisée"),
    ("technicien3.epci", "technicien", "Mickaël", "Bonnet", "Électricien de la régie mutualisée"),
    ("technicien4.epci", "technicien", "Sandrine", "Lefèvre", "Électricienne de la régie mutualisée"),
    ("technicien5.epci", "technicien", "Thomas", "Guérin", "Menuisier-serrurier de la régie mutualisée"),
    ("technicien6.epci", "technicien", "Patrice", "Chauvet", "Maçon-peintre de la régie mutualisée"),
    ("demandeur.epci", "demandeur", "Laurent", "Fradin", "Responsable de la piscine intercommunale"),
    ("lecteur.epci", "lecteur", "Hélène", "Rabaud", "Vice-présidente chargée du patrimoine"),
    ("prestataire.epci", "prestataire", "Vincent", "Pacaud", "Technicien, Ascenseurs Atlantique Maintenance"),
    # Nesmy
    ("admin.nesmy", "admin", "Christophe", "Bernard", "Directeur général des services de Nesmy"),
    ("gestionnaire.nesmy", "gestionnaire", "Claire", "Martineau", "Gestionnaire du patrimoine de Nesmy"),
    ("chef.nesmy", "chef", "Olivier", "Girard", "Responsable des services techniques de Nesmy"),
    ("technicien.nesmy", "technicien", "Kévin", "Renaud", "Agent polyvalent des services techniques de Nesmy"),
    ("demandeur.nesmy", "demandeur", "Nadia", "Belkacem", "Directrice de l'école élémentaire Jules Ferry"),
    ("lecteur.nesmy", "lecteur", "Sophie", "Gauthier", "Responsable des finances de Nesmy"),
    ("prestataire.nesmy", "prestataire", "Franck", "Baudry", "Gérant, Baudry Couverture"),
    # Venansault
    ("admin.venansault", "admin", "Nathalie", "Rivière", "Directrice générale des services de Venansault"),
    ("gestionnaire.venansault", "gestionnaire", "Pierre", "Michaud", "Gestionnaire du patrimoine de Venansault"),
    ("chef.venansault", "chef", "Stéphane", "Brochard", "Responsable des services techniques de Venansault"),
    ("technicien.venansault", "technicien", "Dylan", "Praud", "Agent technique de Venansault"),
    ("demandeur.venansault", "demandeur", "Émilie", "Tessier", "Directrice de l'école maternelle Les Petits Lutins"),
    ("lecteur.venansault", "lecteur", "Martine", "Jaunet", "Adjointe aux finances de Venansault"),
    ("prestataire.venansault", "prestataire", "Yannick", "Boisseau", "Gérant, Boisseau Sécurité Incendie"),
    # Aubigny-Les Clouzeaux
    ("admin.aubigny", "admin", "Fabrice", "Ménard", "Directeur général des services d'Aubigny-Les Clouzeaux"),
    (
        "gestionnaire.aubigny",
        "gestionnaire",
        "Aurélie",
        "Charrier",
        "Gestionnaire du patrimoine d'Aubigny-Les Clouzeaux",
    ),
    ("chef.aubigny", "chef", "Jérôme", "Blanchard", "Responsable des services techniques d'Aubigny-Les Clouzeaux"),
    ("technicien.aubigny", "technicien", "Anthony", "Perrocheau", "Agent technique d'Aubigny-Les Clouzeaux"),
    ("demandeur.aubigny", "demandeur", "Valérie", "Mercier", "Directrice de la crèche Les Pitchouns"),
    ("lecteur.aubigny", "lecteur", "Catherine", "Audureau", "Conseillère déléguée aux finances"),
    ("prestataire.aubigny", "prestataire", "Ludovic", "Rambaud", "Gérant, Rambaud Électricité"),
]

# The building each requester files for (its name, unique in the organisation); used for their history
# and, when the intake app offers it, as their requester building.
REQUESTER_BUILDINGS = {
    "demandeur.epci": "Piscine intercommunale — halle des bassins",
    "demandeur.nesmy": "École élémentaire Jules Ferry",
    "demandeur.venansault": "École maternelle Les Petits Lutins",
    "demandeur.aubigny": "Crèche multi-accueil Les Pitchouns",
}

# The company each prestataire account works for (contractor name in catalogue.CONTRACTORS).
CONTRACTOR_OF = {
    "prestataire.epci": "Ascenseurs Atlantique Maintenance",
    "prestataire.nesmy": "Baudry Couverture",
    "prestataire.venansault": "Boisseau Sécurité Incendie",
    "prestataire.aubigny": "Rambaud Électricité",
}

SUPERUSER = ("admin", "Service", "DSI", "Superutilisateur pour l'administration Django (DSI)")

# Teams: organisation, name, lead, trades, organisations served, members (username, trade, grade).
TEAMS = [
    {
        "organisation": EPCI,
        "name": "Régie bâtiment mutualisée",
        "lead": "chef.epci",
        "trades": [
            "plomberie",
            "cvc",
            "electricite",
            "menuiserie",
            "serrurerie",
            "peinture",
            "maconnerie",
            "vitrerie",
            "couverture",
        ],
        "serves": [NESMY, VENANSAULT, AUBIGNY],
        "members": [
            ("technicien.epci", "plomberie", "technicien"),
            ("technicien2.epci", "cvc", "maitrise"),
            ("technicien3.epci", "electricite", "maitrise"),
            ("technicien4.epci", "electricite", "agent"),
            ("technicien5.epci", "menuiserie", "agent"),
            ("technicien6.epci", "maconnerie", "agent"),
        ],
    },
    {
        "organisation": NESMY,
        "name": "Services techniques de Nesmy",
        "lead": "chef.nesmy",
        "trades": ["espaces-verts", "peinture", "menuiserie", "nettoyage", "voirie", "maconnerie"],
        "serves": [],
        "members": [
            ("chef.nesmy", "menuiserie", "maitrise"),
            ("technicien.nesmy", "espaces-verts", "agent"),
        ],
    },
]

# Loaded hourly rates (€/h) by organisation, year offset (0 = current year) and grade, plus some per
# trade. Older years are 2.5 % lower per year.
LABOUR_RATES = {
    EPCI: {
        "grades": {"agent": Decimal("32.50"), "maitrise": Decimal("38.40"), "technicien": Decimal("42.60")},
        "trades": {
            ("technicien", "plomberie"): Decimal("45.80"),
            ("maitrise", "cvc"): Decimal("41.20"),
            ("maitrise", "electricite"): Decimal("40.70"),
        },
    },
    NESMY: {
        "grades": {"agent": Decimal("31.80"), "maitrise": Decimal("36.90"), "technicien": Decimal("41.00")},
        "trades": {("agent", "espaces-verts"): Decimal("30.40")},
    },
}

# Who in a team usually takes a job of a trade (first listed most often).
DISPATCH = {
    EPCI: {
        "plomberie": ["technicien.epci", "technicien2.epci"],
        "cvc": ["technicien2.epci", "technicien.epci"],
        "electricite": ["technicien3.epci", "technicien4.epci"],
        "securite-incendie": ["technicien3.epci", "technicien5.epci"],
        "menuiserie": ["technicien5.epci"],
        "serrurerie": ["technicien5.epci", "technicien6.epci"],
        "vitrerie": ["technicien5.epci"],
        "maconnerie": ["technicien6.epci"],
        "peinture": ["technicien6.epci", "technicien5.epci"],
        "couverture": ["technicien6.epci", "technicien5.epci"],
    },
    NESMY: {
        "espaces-verts": ["technicien.nesmy"],
        "nettoyage": ["technicien.nesmy"],
        "voirie": ["technicien.nesmy", "chef.nesmy"],
        "menuiserie": ["chef.nesmy", "technicien.nesmy"],
        "serrurerie": ["chef.nesmy", "technicien.nesmy"],
        "peinture": ["technicien.nesmy", "chef.nesmy"],
        "maconnerie": ["technicien.nesmy", "chef.nesmy"],
    },
}
