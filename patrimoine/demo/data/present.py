"""This week's story, so every journey can be walked on the day the demo starts.

Buildings are named as in places.py; the organisation is the first field.
"""

from patrimoine.demo.data.organisations import AUBIGNY, EPCI, NESMY, VENANSAULT

NADIA_SCHOOL = (NESMY, "École élémentaire Jules Ferry")
NADIA_BOILER = "Chaudière gaz à condensation"

# Last year, the same valve of Nadia's school boiler was replaced by Ahmed.
BOILER_LAST_YEAR = {
    "title": "Remplacement de la vanne d'isolement départ chauffage",
    "request": "La chaudière fait une flaque d'eau dans la chaufferie.",
    "materials": [("PLB-VAN34", 1), ("PLB-JF2027", 2), ("PLB-TEFLON", 1)],
    "hours": "2.00",
    "notes": (
        "Vanne d'isolement du départ chauffage grippée et fuyarde : remplacée (3/4\"), joints fibre 20/27 neufs, "
        "remise en pression à 1,5 bar. Prévoir de surveiller la vanne du retour, du même âge."
    ),
}

# Ahmed's day: (organisation, building, space or equipment name, title, request text, start h, m, duration h).
AHMED_TODAY = [
    (
        NESMY,
        "École élémentaire Jules Ferry",
        "equipment:Chaudière gaz à condensation",
        "Fuite à la vanne d'isolement retour chauffage",
        "La chaudière goutte de nouveau dans la chaufferie, une flaque se forme sous une vanne.",
        8,
        0,
        1.5,
    ),
    (
        NESMY,
        "Mairie",
        "space:Sanitaires",
        "Chasse d'eau qui coule en continu",
        "La chasse d'eau des toilettes du rez-de-chaussée coule sans arrêt.",
        10,
        0,
        1.0,
    ),
    (
        VENANSAULT,
        "Restaurant scolaire Les Petits Lutins",
        "space:Plonge",
        "Robinet qui goutte à la plonge",
        "Le robinet de la plonge goutte en permanence.",
        11,
        15,
        0.75,
    ),
    (
        AUBIGNY,
        "Salle des fêtes des Clouzeaux",
        "space:Office traiteur",
        "Fuite sous l'évier de l'office traiteur",
        "Fuite d'eau sous l'évier de l'office, le meuble est trempé.",
        14,
        0,
        1.0,
    ),
    (
        EPCI,
        "Piscine intercommunale — halle des bassins",
        "space:Douches",
        "Robinetterie des douches à reprendre",
        "Deux douches restent en eau après la temporisation.",
        15,
        30,
        1.0,
    ),
]

# Awaiting validation, reported on the last working day.
AHMED_DONE = {
    "where": (VENANSAULT, "École maternelle Les Petits Lutins", "space:Sanitaires enfants"),
    "title": "Fuite sous le lave-mains des sanitaires enfants",
    "request": "Fuite sous le lave-mains des sanitaires des enfants, il y a de l'eau par terre.",
    "hours": "1.75",
    "materials": [("PLB-JF2027", 2), ("PLB-FLX50", 1)],
    "notes": (
        "Flexible d'alimentation du lave-mains percé : remplacé, avec deux joints fibre 20/27. "
        "Essai en eau, plus de fuite."
    ),
    "signed_by": "Mme Gendron, ATSEM",
}

OTHER_DONE = [
    # username, organisation, building, target, title, hours, materials, notes
    (
        "technicien3.epci",
        VENANSAULT,
        "Gymnase des Acacias",
        "category:eclairage-securite",
        "Remplacement d'un BAES défectueux",
        "1.25",
        [("ELE-BAES", 2)],
        "Deux BAES hors service au-dessus des issues de secours : remplacés et testés.",
    ),
    (
        "technicien.nesmy",
        NESMY,
        "Salle des fêtes",
        "space:Grande salle",
        "Porte qui frotte",
        "1.50",
        [("MEN-PAUM", 2)],
        "Porte de la grande salle rabotée, paumelles changées.",
    ),
]

SUSPENDED = [
    # username, organisation, building, target, title, reason, workdays ago
    (
        "technicien2.epci",
        AUBIGNY,
        "Gymnase de la Garenne",
        "equipment:Centrale de traitement d'air (CTA)",
        "CTA en défaut — moteur de ventilation",
        "pieces",
        6,
    ),
    (
        "technicien3.epci",
        VENANSAULT,
        "Église Saint-Martin",
        "equipment:Motorisation des cloches",
        "Motorisation des cloches en panne",
        "acces",
        4,
    ),
    (
        "technicien4.epci",
        VENANSAULT,
        "Mairie",
        "category:portes-automatiques",
        "Porte automatique de l'accueil bloquée ouverte",
        "prestataire",
        3,
    ),
]

IN_PROGRESS = [
    (
        "technicien2.epci",
        AUBIGNY,
        "École primaire Le Petit Prince",
        "category:cvc-chauffage",
        "Panne de chauffage",
        "Il fait 15 °C dans les classes ce matin, le chauffage ne marche plus.",
        "urgente",
    ),
    ("technicien.nesmy", NESMY, "Accueil périscolaire Jules Ferry", None, "Taille des haies", "", "normale"),
]

# Nadia's other requests.
NADIA_PLANNED = (
    "space:Sanitaires enfants",
    "Lavabo des sanitaires enfants bouché",
    "Un lavabo des sanitaires des enfants est bouché, l'eau ne s'écoule plus.",
)
NADIA_DONE = (
    "space:Sanitaires enfants",
    "Chasse d'eau qui coule en continu",
    "La chasse d'eau du WC n° 2 des enfants coule tout le temps.",
    "Mécanisme de chasse double débit remplacé dans le WC n° 2 des sanitaires enfants. Testé : plus d'écoulement.",
)
NADIA_REJECTED = (
    "Pouvez-vous installer un store occultant dans la classe de CE2 ?",
    "Demande d'aménagement à faire valider par les élus : à inscrire au budget de l'an prochain.",
)

# The 14 requests waiting for triage on Monday morning:
# (organisation, building or lighting site, target, description, urgency, suggested trade, requester, channel,
#  hours ago). requester: "user:<username>", "name:<text>" or "citizen:<name>|<phone>".
NEW_REQUESTS = [
    (
        NESMY,
        "École élémentaire Jules Ferry",
        "space:Bureau de direction",
        "Le radiateur du bureau de direction reste froid depuis lundi.",
        "normale",
        "cvc",
        "user:demandeur.nesmy",
        "interne",
        30,
    ),
    (
        NESMY,
        "Salle de sports de la Vallée",
        "space:Vestiaires",
        "Fuite importante dans les vestiaires : l'eau coule sous la porte des douches.",
        "urgente",
        "plomberie",
        "name:M. Fournier, gardien du gymnase",
        "interne",
        3,
    ),
    (
        NESMY,
        "Mairie",
        "space:Bureaux",
        "L'éclairage du couloir de l'étage ne s'allume plus.",
        "faible",
        "electricite",
        "name:Accueil de la mairie",
        "interne",
        50,
    ),
    (
        NESMY,
        "lighting:Éclairage public — rue du Général de Gaulle",
        None,
        "Le lampadaire en face du n° 14 ne s'allume plus depuis trois jours.",
        "normale",
        "electricite",
        "citizen:M. Jean Martin|06 12 45 78 90",
        "citoyen",
        20,
    ),
    (
        NESMY,
        "Multi-accueil Les Pirates",
        None,
        "La porte d'entrée ne se verrouille plus, la clé tourne dans le vide.",
        "urgente",
        "serrurerie",
        "name:Mme Guillet, auxiliaire de puériculture",
        "interne",
        5,
    ),
    (
        VENANSAULT,
        "École maternelle Les Petits Lutins",
        "space:Salle de motricité",
        "De l'eau coule du plafond de la salle de motricité quand il pleut, nous avons mis une bassine.",
        "normale",
        "plomberie",
        "user:demandeur.venansault",
        "interne",
        26,
    ),
    (
        VENANSAULT,
        "École élémentaire Jacques Prévert",
        "space:Classe CM1",
        "Vitre cassée dans la classe de CM1, le carreau est fendu sur toute la hauteur.",
        "normale",
        "vitrerie",
        "name:Mme Chevalier, enseignante",
        "interne",
        22,
    ),
    (
        VENANSAULT,
        "École élémentaire Jacques Prévert",
        "space:Classe CM1",
        "Une fenêtre de la classe de CM1 est brisée, il y a des éclats de verre par terre.",
        "normale",
        "vitrerie",
        "name:M. Poirier, enseignant",
        "interne",
        21,
    ),
    (
        VENANSAULT,
        "Gymnase des Acacias",
        "category:equipements-sportifs",
        "Un panneau de basket relevable ne remonte plus.",
        "normale",
        "serrurerie",
        "name:Club de handball",
        "interne",
        44,
    ),
    (
        VENANSAULT,
        None,
        "Résidence Les Tilleuls, 3 rue des Sables",
        "La porte du hall de la résidence Les Tilleuls ne ferme plus, n'importe qui peut entrer.",
        "normale",
        "serrurerie",
        "citizen:Mme Odile Boucher|02 51 07 45 18",
        "guichet",
        28,
    ),
    (
        AUBIGNY,
        "Restaurant scolaire Le Petit Prince",
        "space:Plonge",
        "Le lave-vaisselle fuit et il n'y a plus d'eau chaude à la plonge.",
        "urgente",
        "plomberie",
        "name:Mme Texier, cuisinière",
        "interne",
        2,
    ),
    (
        AUBIGNY,
        "Crèche multi-accueil Les Pitchouns",
        "space:Biberonnerie",
        "Le chauffe-eau de la biberonnerie ne chauffe plus.",
        "normale",
        "plomberie",
        "user:demandeur.aubigny",
        "interne",
        18,
    ),
    (
        AUBIGNY,
        "Salle des fêtes des Clouzeaux",
        "category:eclairage-securite",
        "Deux blocs de secours clignotent au-dessus des sorties.",
        "normale",
        "electricite",
        "name:Mme Brunet, régisseuse des salles",
        "interne",
        70,
    ),
    (
        AUBIGNY,
        "lighting:Éclairage public — rue de la Gare",
        None,
        "Trois lampadaires éteints près de l'arrêt de car, c'est tout noir le soir.",
        "normale",
        "",
        "citizen:Mme Léa Courtois|07 81 33 56 20",
        "citoyen",
        40,
    ),
]

# Open orders given to each prestataire's company (organisation, building, target, title, job speciality,
# weekday of next week).
CONTRACTOR_PLANNED = [
    (
        EPCI,
        "Bureaux des services techniques",
        "category:ascenseurs",
        "Visite d'entretien de l'ascenseur",
        "Ascenseurs Atlantique Maintenance",
        1,
    ),
    (NESMY, "Église Saint-Pierre", "category:couverture", "Fuite en toiture côté sacristie", "Baudry Couverture", 2),
    (
        VENANSAULT,
        "Gymnase des Acacias",
        "category:extincteurs",
        "Vérification annuelle des extincteurs",
        "Boisseau Sécurité Incendie",
        3,
    ),
    (
        AUBIGNY,
        "Mairie",
        "category:electricite",
        "Vérification périodique des installations électriques",
        "Rambaud Électricité",
        0,
    ),
]
