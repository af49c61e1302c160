"""Sites and buildings of the demo agglomeration: real-looking names and streets of each commune.

A building is (code, name, kind, surface m², construction year, ERP type, ERP category, floors).
`kind` picks the spaces and equipment (see equipment.py); ERP type "" means not open to the public;
floors: 0 = ground floor only, 1 = one upper floor, -1 = with a basement.
Lighting sites (« Éclairage public — rue … ») have no building, only light points.
"""

from patrimoine.demo.data.organisations import AUBIGNY, EPCI, NESMY, VENANSAULT

SITES = {
    NESMY: [
        (
            "Groupe scolaire Jules Ferry",
            "12 rue des Écoles",
            [
                ("École élémentaire Jules Ferry", "school", 1480, 1962, "R", 4, -1),
                ("Accueil périscolaire Jules Ferry", "periscolaire", 240, 1998, "R", 5, 0),
                ("Restaurant scolaire Jules Ferry", "canteen", 410, 2004, "N", 5, 0),
            ],
        ),
        (
            "Mairie de Nesmy",
            "1 place de la Mairie",
            [
                ("Mairie", "townhall", 620, 1905, "W", 5, 1),
                ("Maison des associations", "hall", 310, 1975, "L", 5, 0),
                ("Médiathèque Le Grenier à mots", "library", 380, 2011, "S", 5, 1),
            ],
        ),
        (
            "Complexe sportif de la Vallée de l'Yon",
            "rue du Stade",
            [
                ("Salle de sports de la Vallée", "gym", 1650, 1989, "X", 3, 0),
                ("Vestiaires du stade municipal", "changing", 280, 1984, "X", 5, 0),
                ("Salle de tennis couverte", "tennis", 720, 2007, "X", 5, 0),
            ],
        ),
        ("Salle des fêtes de Nesmy", "8 rue de la Poste", [("Salle des fêtes", "hall", 540, 1981, "L", 3, 0)]),
        ("Église Saint-Pierre", "place de l'Église", [("Église Saint-Pierre", "church", 690, 1874, "V", 4, 0)]),
        (
            "Pôle enfance et santé",
            "15 rue des Lilas",
            [
                ("Multi-accueil Les Pirates", "creche", 330, 2009, "R", 5, 0),
                ("Maison de santé", "offices", 410, 2016, "U", 5, 0),
            ],
        ),
        (
            "Centre technique municipal de Nesmy",
            "ZA de la Chevaleraie",
            [("Ateliers municipaux", "workshop", 540, 1995, "", None, 0)],
        ),
        ("Éclairage public — rue du Général de Gaulle", "rue du Général de Gaulle", []),
        ("Éclairage public — route de La Roche", "route de La Roche-sur-Yon", []),
    ],
    VENANSAULT: [
        (
            "Pôle petite enfance Les Petits Lutins",
            "4 rue des Écoles",
            [
                ("École maternelle Les Petits Lutins", "nursery", 780, 1978, "R", 5, 0),
                ("Restaurant scolaire Les Petits Lutins", "canteen", 360, 2001, "N", 5, 0),
                ("Multi-accueil Les Ouistitis", "creche", 300, 2014, "R", 5, 0),
            ],
        ),
        (
            "École élémentaire Jacques Prévert",
            "6 rue de la Jaunière",
            [
                ("École élémentaire Jacques Prévert", "school", 1320, 1971, "R", 4, 1),
                ("Préau et sanitaires Jacques Prévert", "toilets", 160, 1985, "", None, 0),
            ],
        ),
        (
            "Mairie de Venansault",
            "22 rue de Lattre de Tassigny",
            [
                ("Mairie", "townhall", 710, 1990, "W", 5, 1),
                ("Médiathèque", "library", 420, 2006, "S", 5, 0),
            ],
        ),
        (
            "Complexe sportif des Acacias",
            "rue des Acacias",
            [
                ("Gymnase des Acacias", "gym", 1820, 1992, "X", 3, 0),
                ("Salle de sports n° 2", "gym", 980, 2012, "X", 4, 0),
                ("Vestiaires du stade des Acacias", "changing", 310, 1988, "X", 5, 0),
            ],
        ),
        (
            "Espace culturel de la Fontaine",
            "2 place de la Fontaine",
            [
                ("Salle polyvalente de la Fontaine", "hall", 860, 1996, "L", 3, 0),
                ("Salle de l'Aubépine", "hall", 240, 1987, "L", 5, 0),
            ],
        ),
        ("Église Saint-Martin", "place de l'Église", [("Église Saint-Martin", "church", 740, 1880, "V", 4, 0)]),
        (
            "Centre technique municipal de Venansault",
            "ZA du Maunit",
            [("Centre technique municipal", "workshop", 610, 2002, "", None, 0)],
        ),
        ("Éclairage public — rue de la Mairie", "rue de la Mairie", []),
        ("Éclairage public — rue des Sables", "rue des Sables", []),
    ],
    AUBIGNY: [
        (
            "Groupe scolaire Le Petit Prince",
            "10 rue des Sports, Aubigny",
            [
                ("École primaire Le Petit Prince", "school", 1560, 1983, "R", 4, 0),
                ("Restaurant scolaire Le Petit Prince", "canteen", 450, 2008, "N", 5, 0),
                ("Accueil périscolaire Le Petit Prince", "periscolaire", 260, 2010, "R", 5, 0),
            ],
        ),
        (
            "Mairie d'Aubigny-Les Clouzeaux",
            "2 rue de la Mairie, Aubigny",
            [
                ("Mairie", "townhall", 680, 1998, "W", 5, 1),
                ("Médiathèque", "library", 350, 2015, "S", 5, 0),
                ("Toilettes publiques du bourg", "toilets", 25, 2016, "", None, 0),
            ],
        ),
        (
            "Centre-bourg des Clouzeaux",
            "1 place de l'Église, Les Clouzeaux",
            [
                ("Mairie annexe des Clouzeaux", "townhall", 290, 1910, "W", 5, 0),
                ("Salle des fêtes des Clouzeaux", "hall", 620, 1979, "L", 4, 0),
            ],
        ),
        (
            "Complexe sportif de la Garenne",
            "rue de la Garenne, Aubigny",
            [
                ("Gymnase de la Garenne", "gym", 1700, 1994, "X", 3, 0),
                ("Vestiaires du stade de la Garenne", "changing", 300, 1990, "X", 5, 0),
            ],
        ),
        (
            "Complexe sportif des Clouzeaux",
            "rue du Stade, Les Clouzeaux",
            [
                ("Salle de sports des Clouzeaux", "gym", 900, 1999, "X", 4, 0),
                ("Vestiaires du terrain de football", "changing", 190, 1986, "X", 5, 0),
            ],
        ),
        (
            "Multi-accueil Les Pitchouns",
            "7 rue du Bourg, Aubigny",
            [("Crèche multi-accueil Les Pitchouns", "creche", 420, 2013, "R", 5, 0)],
        ),
        (
            "Église Notre-Dame d'Aubigny",
            "place de l'Église, Aubigny",
            [("Église Notre-Dame", "church", 610, 1868, "V", 4, 0)],
        ),
        (
            "Centre technique municipal d'Aubigny",
            "ZA Les Blussières",
            [("Ateliers municipaux", "workshop", 520, 1997, "", None, 0)],
        ),
        ("Éclairage public — rue du Bourg", "rue du Bourg, Aubigny", []),
        ("Éclairage public — rue de la Gare", "rue de la Gare, Les Clouzeaux", []),
    ],
    EPCI: [
        (
            "Piscine intercommunale Aqua'Yon",
            "rue des Sports, Aubigny",
            [
                ("Piscine intercommunale — halle des bassins", "pool", 2350, 2004, "X", 2, -1),
                ("Piscine intercommunale — local technique", "plant", 260, 2004, "", None, 0),
            ],
        ),
        (
            "Centre technique communautaire",
            "rue Jacques-Yves Cousteau",
            [
                ("Ateliers de la régie mutualisée", "workshop", 1250, 2009, "", None, 0),
                ("Bureaux des services techniques", "offices", 640, 2009, "W", 5, 1),
            ],
        ),
        (
            "Conservatoire intercommunal",
            "10 rue Haxo",
            [("Conservatoire intercommunal", "library", 1450, 1999, "L", 3, 1)],
        ),
        (
            "Aire d'accueil des gens du voyage",
            "chemin de la Marronnière",
            [("Bloc sanitaire de l'aire d'accueil", "toilets", 120, 2011, "", None, 0)],
        ),
    ],
}

# Postal code and city per site when it differs from the organisation's (the EPCI's sites).
SITE_TOWN = {
    "Piscine intercommunale Aqua'Yon": ("85430", "Aubigny-Les Clouzeaux", "46.603800", "-1.458900"),
}

# Code prefix per organisation: sites PFX-S01, buildings PFX-B01, equipment PFX-B01-07 or PFX-S09-PL03.
CODE_PREFIX = {EPCI: "EPCI", NESMY: "NES", VENANSAULT: "VEN", AUBIGNY: "AUB"}

# Levels per floors value.
LEVELS = {
    0: [("Rez-de-chaussée", 0)],
    1: [("Rez-de-chaussée", 0), ("1er étage", 1)],
    -1: [("Sous-sol", -1), ("Rez-de-chaussée", 0)],
}
