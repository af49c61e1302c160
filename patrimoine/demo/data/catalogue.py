"""The store catalogue every organisation starts with, and the companies each one works with."""

from decimal import Decimal as D

from patrimoine.demo.data.organisations import AUBIGNY, EPCI, NESMY, VENANSAULT

# reference, designation, unit, family, unit cost (€, CUMP)
ITEMS = [
    # Plomberie
    ("PLB-JF2027", "Joint fibre 20/27", "u", "Plomberie", D("0.65")),
    ("PLB-JF1521", "Joint fibre 15/21", "u", "Plomberie", D("0.45")),
    ("PLB-FLX50", "Flexible inox 50 cm", "u", "Plomberie", D("14.95")),
    ("PLB-FLX30", "Flexible inox 30 cm", "u", "Plomberie", D("9.80")),
    ("PLB-RAR15", "Robinet d'arrêt 1/4 de tour 15/21", "u", "Plomberie", D("11.20")),
    ("PLB-VAN34", "Vanne d'isolement à sphère 3/4\"", "u", "Plomberie", D("22.30")),
    ("PLB-MITLAV", "Mitigeur lavabo", "u", "Plomberie", D("64.90")),
    ("PLB-TEMPO", "Robinet temporisé lavabo", "u", "Plomberie", D("48.60")),
    ("PLB-MECWC", "Mécanisme de chasse double débit", "u", "Plomberie", D("24.60")),
    ("PLB-FLOT", "Robinet flotteur WC", "u", "Plomberie", D("12.40")),
    ("PLB-SIPH40", "Siphon d'évier PVC 40", "u", "Plomberie", D("8.90")),
    ("PLB-ABAT", "Abattant WC collectivité", "u", "Plomberie", D("27.50")),
    ("PLB-GRSEC", "Groupe de sécurité chauffe-eau", "u", "Plomberie", D("29.90")),
    ("PLB-ANODE", "Anode magnésium chauffe-eau", "u", "Plomberie", D("18.70")),
    ("PLB-CU14", "Tube cuivre 14 mm", "m", "Plomberie", D("7.85")),
    ("PLB-TEFLON", "Ruban PTFE", "u", "Plomberie", D("1.20")),
    ("PLB-COLPVC", "Colle PVC 250 ml", "u", "Plomberie", D("9.40")),
    # Chauffage, ventilation
    ("CVC-ROBTH", "Robinet thermostatique", "u", "Chauffage", D("38.50")),
    ("CVC-TETETH", "Tête thermostatique", "u", "Chauffage", D("21.50")),
    ("CVC-PURG", "Purgeur automatique", "u", "Chauffage", D("7.90")),
    ("CVC-MANO", "Manomètre de chaudière", "u", "Chauffage", D("16.40")),
    ("CVC-FILF7", "Filtre CTA F7 592x592", "u", "Ventilation", D("42.00")),
    ("CVC-FILG4", "Filtre CTA G4 592x592", "u", "Ventilation", D("18.60")),
    ("CVC-COURR", "Courroie de ventilateur", "u", "Ventilation", D("24.80")),
    ("CVC-SONDE", "Sonde de température extérieure", "u", "Chauffage", D("33.00")),
    # Électricité
    ("ELE-LEDE27", "Ampoule LED E27 10 W", "u", "Électricité", D("4.90")),
    ("ELE-T8-120", "Tube LED T8 120 cm", "u", "Électricité", D("9.80")),
    ("ELE-T8-60", "Tube LED T8 60 cm", "u", "Électricité", D("7.40")),
    ("ELE-DALLE", "Dalle LED 600x600 36 W", "u", "Électricité", D("39.90")),
    ("ELE-DISJ16", "Disjoncteur 16 A", "u", "Électricité", D("12.60")),
    ("ELE-DISJ20", "Disjoncteur 20 A", "u", "Électricité", D("13.10")),
    ("ELE-ID40", "Interrupteur différentiel 40 A 30 mA", "u", "Électricité", D("58.00")),
    ("ELE-PRISE", "Prise de courant 2P+T", "u", "Électricité", D("6.30")),
    ("ELE-INTER", "Interrupteur va-et-vient", "u", "Électricité", D("5.90")),
    ("ELE-BAES", "Bloc autonome d'éclairage de sécurité", "u", "Électricité", D("54.00")),
    ("ELE-CABLE", "Câble R2V 3G2,5", "m", "Électricité", D("1.45")),
    ("ELE-WAGO", "Borne de connexion rapide", "u", "Électricité", D("0.38")),
    ("ELE-MODLED", "Module LED pour lanterne d'éclairage public", "u", "Éclairage public", D("148.00")),
    ("ELE-PROJ50", "Projecteur LED 50 W", "u", "Électricité", D("46.00")),
    # Menuiserie, serrurerie
    ("SER-SERCYL", "Serrure à cylindre", "u", "Serrurerie", D("34.50")),
    ("SER-CYL3030", "Cylindre européen 30x30", "u", "Serrurerie", D("18.90")),
    ("SER-CYL3040", "Cylindre européen 30x40", "u", "Serrurerie", D("21.40")),
    ("SER-FERMP", "Ferme-porte hydraulique", "u", "Serrurerie", D("69.00")),
    ("SER-BEQ", "Béquille de porte double", "u", "Serrurerie", D("22.00")),
    ("SER-ANTIP", "Barre anti-panique", "u", "Serrurerie", D("189.00")),
    ("MEN-PAUM", "Paumelle 140 mm", "u", "Menuiserie", D("4.20")),
    ("MEN-POIGN", "Poignée de fenêtre", "u", "Menuiserie", D("9.60")),
    ("MEN-CP18", "Contreplaqué 18 mm", "m²", "Menuiserie", D("21.00")),
    ("MEN-VIS", "Vis à bois (boîte de 200)", "u", "Quincaillerie", D("7.50")),
    ("MEN-CHEV", "Chevilles (boîte de 100)", "u", "Quincaillerie", D("6.90")),
    # Vitrerie
    ("VIT-4164", "Vitrage 4/16/4", "m²", "Vitrerie", D("68.00")),
    ("VIT-442", "Vitrage feuilleté 44.2", "m²", "Vitrerie", D("89.00")),
    # Peinture, maçonnerie, finitions
    ("PEI-ACR10", "Peinture acrylique blanche 10 L", "u", "Peinture", D("64.00")),
    ("PEI-GLY25", "Peinture glycéro 2,5 L", "u", "Peinture", D("38.00")),
    ("PEI-ROUL", "Rouleau 180 mm", "u", "Peinture", D("6.50")),
    ("PEI-ENDUIT", "Enduit de rebouchage 5 kg", "u", "Peinture", D("12.40")),
    ("MAC-CIM35", "Ciment 35 kg", "u", "Maçonnerie", D("11.80")),
    ("MAC-MORT", "Mortier prêt à l'emploi 25 kg", "u", "Maçonnerie", D("9.20")),
    ("MAC-FAI", "Carreaux de faïence 20x20", "m²", "Maçonnerie", D("24.00")),
    ("MAC-COLC", "Colle carrelage 25 kg", "u", "Maçonnerie", D("18.50")),
    ("FIN-SILSAN", "Silicone sanitaire", "u", "Finitions", D("7.20")),
    ("FIN-MASTAC", "Mastic acrylique", "u", "Finitions", D("4.60")),
    # Couverture
    ("COU-TUILE", "Tuile canal", "u", "Couverture", D("1.85")),
    ("COU-ARD", "Ardoise naturelle 32x22", "u", "Couverture", D("2.10")),
    ("COU-GOUT", "Gouttière zinc demi-ronde 33", "m", "Couverture", D("18.40")),
    ("COU-CROCH", "Crochet de gouttière", "u", "Couverture", D("1.90")),
    # Sécurité incendie
    ("SEC-EXTEAU", "Extincteur eau pulvérisée 6 L", "u", "Sécurité incendie", D("58.00")),
    ("SEC-PICTO", "Plan et pictogramme d'évacuation", "u", "Sécurité incendie", D("6.80")),
    ("SEC-DETECT", "Détecteur optique de fumée", "u", "Sécurité incendie", D("42.00")),
    ("SEC-DM", "Déclencheur manuel", "u", "Sécurité incendie", D("38.00")),
]

# name: SIRET without its Luhn key, e-mail, phone, trades, speciality (which contractor jobs it takes).
CONTRACTORS = {
    "Ascenseurs Atlantique Maintenance": (
        "4128765430001",
        "contact@ascenseurs-atlantique.demo.patrimoine.local",
        "02 51 24 18 90",
        ["electricite"],
        "lift",
    ),
    "Ouest Sécurité Incendie": (
        "5236145870001",
        "agence85@ouest-securite.demo.patrimoine.local",
        "02 51 05 44 12",
        ["securite-incendie"],
        "fire",
    ),
    "Boisseau Sécurité Incendie": (
        "3982154760001",
        "contact@boisseau-securite.demo.patrimoine.local",
        "02 51 40 27 63",
        ["securite-incendie"],
        "fire",
    ),
    "Aqua Technique Services": (
        "8012457960002",
        "sav@aqua-technique.demo.patrimoine.local",
        "02 51 62 30 71",
        ["plomberie", "cvc"],
        "pool",
    ),
    "Baudry Couverture": (
        "4471236580001",
        "contact@baudry-couverture.demo.patrimoine.local",
        "02 51 07 31 46",
        ["couverture"],
        "roof",
    ),
    "Vendée Couverture Zinguerie": (
        "5140287630001",
        "contact@vendee-zinguerie.demo.patrimoine.local",
        "02 51 44 09 81",
        ["couverture"],
        "roof",
    ),
    "Yon Électricité Services": (
        "5328874120001",
        "yon.elec@demo.patrimoine.local",
        "02 51 37 81 09",
        ["electricite"],
        "elec",
    ),
    "Rambaud Électricité": (
        "4862317590001",
        "contact@rambaud-elec.demo.patrimoine.local",
        "02 51 98 14 37",
        ["electricite"],
        "elec",
    ),
    "Ludic Contrôle Ouest": (
        "8245613970001",
        "controle@ludic-ouest.demo.patrimoine.local",
        "02 40 63 71 22",
        ["serrurerie"],
        "playground",
    ),
    "Thermique Services Vendée": (
        "7914562380001",
        "depannage@thermique-vendee.demo.patrimoine.local",
        "02 51 46 92 15",
        ["cvc"],
        "heating",
    ),
    "Vitrerie Yonnaise": (
        "3417892560001",
        "devis@vitrerie-yonnaise.demo.patrimoine.local",
        "02 51 36 20 58",
        ["vitrerie"],
        "glass",
    ),
}

# The companies each organisation has a contract with.
CONTRACTS = {
    EPCI: [
        "Ascenseurs Atlantique Maintenance",
        "Ouest Sécurité Incendie",
        "Aqua Technique Services",
        "Vendée Couverture Zinguerie",
    ],
    NESMY: [
        "Baudry Couverture",
        "Yon Électricité Services",
        "Ouest Sécurité Incendie",
        "Ascenseurs Atlantique Maintenance",
        "Ludic Contrôle Ouest",
    ],
    VENANSAULT: [
        "Boisseau Sécurité Incendie",
        "Thermique Services Vendée",
        "Ascenseurs Atlantique Maintenance",
        "Rambaud Électricité",
        "Ludic Contrôle Ouest",
        "Vendée Couverture Zinguerie",
    ],
    AUBIGNY: [
        "Rambaud Électricité",
        "Vitrerie Yonnaise",
        "Ludic Contrôle Ouest",
        "Boisseau Sécurité Incendie",
        "Ascenseurs Atlantique Maintenance",
        "Baudry Couverture",
    ],
}
