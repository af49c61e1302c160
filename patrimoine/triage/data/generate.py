"""Build the starter corpus `corpus.csv` (text;trade;priority) from hand-written fragments.

    python patrimoine/triage/data/generate.py            # writes corpus.csv next to this file

Seeded and reproducible: the same script gives the same file, byte for byte. Each row is either a
hand-written request (HANDWRITTEN, kept as typed, mistakes included) or a composition of an opening,
an object, a problem, a place and a closing, then passed through the ways people really type (no
accents, SMS abbreviations, swapped or doubled letters, capitals, no punctuation). The priority
follows the problem (a bare wire is urgent, a scuffed wall can wait) and the words that say so
(« URGENT », « enfants en danger », « quand vous aurez le temps »).

Licence: Licence Ouverte 2.0 / Etalab (see LICENCE.md). Separate from the demo data generator.
"""

import csv
import random
import sys
from pathlib import Path

SEED = 20261128
PER_TRADE = 520
U, N, B = "urgente", "normale", "basse"

INDOOR = [
    "à l'école maternelle",
    "à l'école élémentaire",
    "a l'ecole primaire",
    "au groupe scolaire",
    "au gymnase",
    "à la salle de sport",
    "au dojo",
    "à la mairie",
    "a la mairie annexe",
    "à la médiathèque",
    "à la crèche",
    "au multi-accueil",
    "à la salle des fêtes",
    "à la salle polyvalente",
    "à la cantine",
    "au restaurant scolaire",
    "au centre de loisirs",
    "à l'accueil périscolaire",
    "au foyer des anciens",
    "à l'EHPAD",
    "au centre technique municipal",
    "à l'école de musique",
    "au club house du foot",
    "à la piscine",
    "à la maison des associations",
    "au presbytère",
    "à l'église",
]
ROOMS = [
    "dans le couloir du 1er",
    "dans le couloir du rdc",
    "dans la classe de CP",
    "dans la classe de Mme Martin",
    "salle 12",
    "salle 3",
    "dans les toilettes filles",
    "dans les toilettes garçons",
    "aux wc du personnel",
    "dans les vestiaires",
    "vestiaire hommes",
    "dans le bureau du directeur",
    "dans le bureau de l'accueil",
    "à l'accueil",
    "dans le hall",
    "dans la salle des maîtres",
    "dans le dortoir",
    "dans la salle de motricité",
    "dans la cuisine",
    "dans le réfectoire",
    "au local ménage",
    "dans la réserve",
    "dans la salle du conseil",
    "à l'étage",
    "au sous-sol",
    "dans l'escalier",
    "",
    "",
]
OUTDOOR = [
    "rue des Lilas",
    "rue de la République",
    "avenue Jean Jaurès",
    "place de l'église",
    "place du marché",
    "sur le parking de la mairie",
    "parking du gymnase",
    "devant l'école",
    "devant la boulangerie",
    "chemin du stade",
    "route de Nantes",
    "au rond-point de la gare",
    "allée des Tilleuls",
    "impasse des Roses",
    "lotissement les Hauts de Vie",
    "au bourg",
    "près du cimetière",
    "au square Jean Moulin",
    "au parc municipal",
    "le long du canal",
    "au niveau du n°12",
    "en face de la poste",
    "",
]
OPENINGS = [
    "",
    "",
    "",
    "Bonjour, ",
    "bonjour ",
    "Bjr ",
    "Bonjour,\n",
    "Madame, Monsieur, ",
    "Je vous signale que ",
    "Je me permets de vous signaler que ",
    "Pour info ",
    "Signalement : ",
    "Suite à ma visite, ",
    "Les enseignants signalent que ",
    "La directrice signale : ",
    "Le gardien nous dit que ",
    "Des parents se plaignent : ",
    "Un administré a appelé : ",
    "Encore une fois ",
    "Petit souci : ",
    "Problème : ",
    "Salut, ",
]
CLOSINGS = [
    "",
    "",
    "",
    ".",
    ". Merci",
    ", merci d'avance",
    " merci",
    ". Cordialement",
    ". Bonne journée",
    " svp",
    " stp",
    "...",
    " !",
    ". Pouvez-vous passer ?",
    ". Merci de faire le nécessaire",
    ". Depuis lundi",
    ". Ça dure depuis une semaine",
    ". Déjà signalé le mois dernier",
]
URGENT_MARKERS = [
    " URGENT",
    ". Urgent !",
    ", c'est dangereux pour les enfants",
    ". Danger !!",
    " c urgent",
    ". Il faut intervenir vite svp",
    ", risque d'accident",
    ". Au plus vite merci",
    " urgent svp",
    ". Les enfants arrivent à 8h30",
]
LOW_MARKERS = [
    " quand vous aurez le temps",
    ". Pas urgent",
    ", pas pressé",
    ". À prévoir pendant les vacances",
    " a l'occasion",
    ". Rien de grave",
    ", à voir lors de votre prochain passage",
    ". Pour les prochaines vacances scolaires",
]

# Per trade: where it happens, the things people name, the problems (with their usual priority).
TRADES: dict[str, dict] = {
    "electricite": {
        "places": "in",
        "objects": [
            "la lumière",
            "les néons",
            "le néon",
            "l'ampoule",
            "les spots",
            "la prise",
            "les prises",
            "la prise électrique",
            "l'interrupteur",
            "le disjoncteur",
            "le tableau électrique",
            "l'éclairage",
            "le plafonnier",
            "la rallonge",
            "le tableau numérique",
            "le vidéoprojecteur",
            "le détecteur de présence",
            "la sonnerie",
            "le four de la cuisine",
            "les luminaires",
            "la minuterie",
            "le courant",
        ],
        "problems": [
            ("ne marche plus", N),
            ("ne fonctionne plus", N),
            ("est en panne", N),
            ("clignote", B),
            ("grésille", N),
            ("fait des étincelles", U),
            ("a grillé", N),
            ("est grillé", N),
            ("saute tout le temps", N),
            ("disjoncte dès qu'on branche la bouilloire", N),
            ("sent le brûlé", U),
            ("est arrachée, les fils sont à nu", U),
            ("pend du plafond avec des fils dénudés", U),
            ("reste allumé toute la nuit", B),
            ("ne s'allume plus", N),
            ("est cassé", N),
            ("ne tient plus au mur", N),
            ("a pris l'eau", U),
            ("coupe tout l'étage", U),
        ],
        "handwritten": [
            ("plus de lumière dans le couloir du 1er", N),
            ("Plus de courant dans toute l'aile B de l'école depuis ce matin !!", U),
            ("les neons de la salle 4 clignotent ça donne mal a la tete", N),
            ("prise arrachée ds la classe des petits, fils qui depassent", U),
            ("Le disjoncteur saute dès qu'on allume le four à la cantine", N),
            ("ampoule grillée toilettes du personnel", B),
            ("le tableau blanc interactif ne s'allume plus salle 6", N),
            ("Il n'y a plus d'électricité à la salle des fêtes, le mariage est samedi", U),
            ("odeur de brulé qui vient du tableau electrique", U),
            ("detecteur de presence du hall ne detecte plus rien on est dans le noir", N),
            ("pouvez vous ajouter une prise dans le bureau de la secrétaire", B),
            ("La sonnerie de l'école ne sonne plus", N),
            ("l eclairage du gymnase ne s allume qu a moitié", N),
            ("VMC ok mais plus de jus sur les prises de la cuisine", N),
            ("spot HS au dessus de l'évier", B),
        ],
    },
    "plomberie": {
        "places": "in",
        "objects": [
            "la chasse d'eau",
            "le robinet",
            "l'évier",
            "le lavabo",
            "les wc",
            "le wc",
            "les toilettes",
            "l'urinoir",
            "la douche",
            "le chauffe-eau",
            "le ballon d'eau chaude",
            "le siphon",
            "la canalisation",
            "le tuyau",
            "la fontaine à eau",
            "le mitigeur",
            "l'évacuation",
            "le lave-mains",
            "la bonde",
            "le compteur d'eau",
        ],
        "problems": [
            ("fuit", N),
            ("fuit beaucoup", U),
            ("goutte", B),
            ("coule en continu", N),
            ("est bouché", N),
            ("est bouchée", N),
            ("déborde", U),
            ("ne se vide plus", N),
            ("n'a plus d'eau chaude", N),
            ("sent mauvais", N),
            ("est cassé", N),
            ("est inondé", U),
            ("a une fuite, il y a de l'eau partout", U),
            ("ne s'arrête plus de couler", N),
            ("fait un bruit bizarre", B),
            ("refoule", U),
            ("n'a plus de pression", N),
            ("est descellé", N),
        ],
        "handwritten": [
            ("la chasse d'eau des toilettes filles fuit", N),
            ("fuite sous l'évier de la cantine, l'eau coule par terre", U),
            ("WC bouchés chez les garçons, ça déborde !!!", U),
            ("robinet qui goutte salle d'arts plastiques", B),
            ("plus d'eau chaude aux douches du gymnase depuis hier", N),
            ("Fuite d'eau importante au sous sol, ça inonde le local archives", U),
            ("lavabo descellé toilettes maternelle, risque qu'il tombe", U),
            ("odeur d'égout dans les vestiaires", N),
            ("chasse deau qui coule en continu au 1er", N),
            ("l urinoir du foot est bouché", N),
            ("La fontaine à eau de la cour ne marche plus", B),
            ("le ballon d'eau chaude de la cuisine fait de l'eau tiède", N),
            ("tuyau percé dans la chaufferie, de l'eau partout", U),
            ("les toillettes du personel fuient depuis 2 semaines", N),
            ("evacuation de la douche bouchée", N),
        ],
    },
    "cvc": {
        "places": "in",
        "objects": [
            "le chauffage",
            "le radiateur",
            "les radiateurs",
            "la chaudière",
            "la clim",
            "la climatisation",
            "la VMC",
            "la ventilation",
            "le thermostat",
            "la pompe à chaleur",
            "l'aérotherme",
            "le convecteur",
            "la centrale de traitement d'air",
            "le ventilo",
            "l'extracteur de la hotte",
            "le plancher chauffant",
        ],
        "problems": [
            ("ne chauffe plus", N),
            ("ne marche plus", N),
            ("est en panne", N),
            ("est en défaut", N),
            ("est froid", N),
            ("sont froids", N),
            ("fait un bruit énorme", N),
            ("chauffe trop, il fait 28°", N),
            ("ne s'arrête jamais", B),
            ("fuit", N),
            ("souffle de l'air froid", N),
            ("est bloqué au maximum", N),
            ("ne démarre plus", U),
            ("fait du bruit la nuit", B),
            ("sent le gaz", U),
            ("ne tire plus", N),
        ],
        "handwritten": [
            ("il fait 13 degrés dans la classe, les enfants gardent leur manteau", U),
            ("Il fait froid, les radiateurs sont tièdes, la chaudière est en défaut", U),
            ("chaudiere en panne a la mairie, plus de chauffage", U),
            ("la clim de la salle serveur ne refroidit plus", U),
            ("radiateur qui fait glouglou dans le bureau", B),
            ("VMC bruyante dans les sanitaires", B),
            ("on crève de chaud dans la médiathèque, la clim ne marche pas", N),
            ("le chauffage reste allumé le week-end au gymnase, gaspillage", B),
            ("odeur de gaz près de la chaufferie !!", U),
            ("thermostat bloqué à 25 dans la salle des fêtes", N),
            ("la hotte de la cuisine n'aspire plus", N),
            ("pas de chauffage au dojo depuis lundi", N),
            ("condensation et moisissures, la ventilation ne marche pas", N),
            ("radiateurs froids au 1er etage", N),
            ("la PAC fait un bruit de moteur d'avion", N),
        ],
    },
    "menuiserie": {
        "places": "in",
        "objects": [
            "la fenêtre",
            "le volet",
            "les volets",
            "le store",
            "les stores",
            "la porte du placard",
            "le placard",
            "l'étagère",
            "le parquet",
            "la plinthe",
            "la porte en bois",
            "le bureau",
            "la table",
            "les chaises",
            "le banc des vestiaires",
            "la cloison",
            "le faux plafond",
            "la dalle de faux plafond",
            "le porte-manteau",
            "la trappe de visite",
            "le tableau en liège",
        ],
        "problems": [
            ("ne ferme plus", N),
            ("ne s'ouvre plus", N),
            ("est bloqué", N),
            ("est bloquée", N),
            ("est cassé", N),
            ("est cassée", N),
            ("frotte par terre", B),
            ("est décroché", N),
            ("est tombé", N),
            ("est gondolé", B),
            ("est abîmé", B),
            ("se décolle", B),
            ("menace de tomber", U),
            ("a un pied cassé", B),
            ("est de travers", B),
            ("grince", B),
        ],
        "handwritten": [
            ("fenetre de la classe 2 qui ne ferme plus", N),
            ("le volet roulant de la salle info est coincé en bas, on est dans le noir", N),
            ("store cassé, impossible de le remonter", B),
            ("étagère de la bibliothèque qui penche, les livres vont tomber", U),
            ("Merci de poser des portes manteaux dans le couloir des CE1", B),
            ("parquet de la salle de danse qui se soulève", N),
            ("dalle de faux plafond tombée dans le couloir", N),
            ("Le banc du vestiaire visiteurs est cassé", B),
            ("porte de placard arrachée salle de motricité", N),
            ("plinthe décollée dans le hall", B),
            ("la fenetre oscillo battante reste bloquée ouverte, il pleut dedans", U),
            ("besoin d'une étagère supplémentaire au local ménage", B),
            ("tables de la cantine bancales", B),
            ("volets de la mairie qui claquent avec le vent", N),
            ("trappe au plafond qui s'ouvre toute seule", N),
        ],
    },
    "serrurerie": {
        "places": "in",
        "objects": [
            "la serrure",
            "la porte",
            "la porte d'entrée",
            "la porte du gymnase",
            "la porte de secours",
            "le portail",
            "le verrou",
            "le cylindre",
            "la poignée",
            "la gâche électrique",
            "le ferme-porte",
            "la barre anti-panique",
            "le digicode",
            "la clé",
            "le cadenas",
            "la grille",
            "le badge",
        ],
        "problems": [
            ("ferme mal", N),
            ("ne ferme plus à clé", U),
            ("est bloquée", N),
            ("est bloqué", N),
            ("ne s'ouvre plus", U),
            ("est cassée", N),
            ("est cassé", N),
            ("claque", B),
            ("force", B),
            ("est forcée", U),
            ("a été fracturée", U),
            ("ne se verrouille plus", U),
            ("ne marche plus", N),
            ("reste ouverte", N),
            ("tourne dans le vide", N),
        ],
        "handwritten": [
            ("porte du gymnase qui ferme mal", N),
            ("La serrure de la porte du local ménage est bloquée", N),
            ("on a perdu la clé du local vélo, faire un double svp", B),
            ("tentative d'effraction cette nuit, porte arrière forcée", U),
            ("le ferme porte de l'entrée claque très fort", B),
            ("la barre anti panique de l'issue de secours est coincée", U),
            ("cle cassée dans la serrure du bureau", N),
            ("portail de l'école ne se ferme plus, les enfants peuvent sortir", U),
            ("digicode HS à la salle des fêtes", N),
            ("la poignée de la porte des toilettes est restée dans ma main", N),
            ("changer le cylindre du local technique (clés perdues)", N),
            ("le badge ne déclenche plus la gâche de la porte de la mairie", N),
            ("porte de la classe qui frotte et ne ferme pas", N),
            ("grille du préau dégondée", N),
            ("cadenas du portillon rouillé impossible a ouvrir", B),
        ],
    },
    "peinture": {
        "places": "both",
        "objects": [
            "la peinture",
            "le mur",
            "les murs",
            "le plafond",
            "la façade",
            "le tag",
            "le graffiti",
            "les boiseries",
            "la porte",
            "les volets",
            "les grilles",
            "le couloir",
            "la classe",
            "le préau",
        ],
        "problems": [
            ("s'écaille", B),
            ("est à refaire", B),
            ("est tout sale et à repeindre", B),
            ("est tagué", N),
            ("est couvert de tags", N),
            ("a des traces noires", B),
            ("cloque", B),
            ("est taché après le dégât des eaux", B),
            ("porte une insulte en graffiti", U),
            ("est jaunie", B),
            ("est rayée partout", B),
            ("est à rafraîchir", B),
        ],
        "handwritten": [
            ("Tag sur le mur du préau", N),
            ("tags injurieux sur la façade de la mairie à effacer avant la cérémonie", U),
            ("peinture qui s'écaille dans la classe des CM2", B),
            ("repeindre la salle des maîtres svp elle est grise", B),
            ("graffitis sur le mur du gymnase coté parking", N),
            ("Le plafond du couloir est tout taché depuis la fuite", B),
            ("les volets de l'école ont besoin d'un coup de peinture", B),
            ("tags obscènes sur l'abri bus devant l'école", U),
            ("murs de la cantine très sales à repeindre cet été", B),
            ("marquage au sol de la cour effacé (marelle)", B),
            ("peinture cloquée au dessus des lavabos", B),
            ("inscription raciste sur le mur du cimetière", U),
            ("rafraichir les peintures du hall de la mairie", B),
            ("portail rouillé à repeindre", B),
            ("traces de chaussures sur les murs du dojo", B),
        ],
    },
    "maconnerie": {
        "places": "both",
        "objects": [
            "le mur",
            "le muret",
            "la fissure",
            "le carrelage",
            "la dalle",
            "les marches",
            "l'escalier extérieur",
            "le crépi",
            "l'enduit",
            "le seuil",
            "la marche",
            "les joints",
            "la chape",
            "le pilier",
            "la cheminée",
            "le faïence",
        ],
        "problems": [
            ("est fissuré", N),
            ("se fissure", N),
            ("a une grosse fissure", U),
            ("s'effrite", N),
            ("est cassé", N),
            ("se décolle", B),
            ("s'effondre", U),
            ("est descellé", N),
            ("bouge", N),
            ("menace de tomber", U),
            ("tombe en morceaux", U),
            ("est fendu", N),
            ("est soulevé", N),
        ],
        "handwritten": [
            ("grosse fissure sur le mur de la classe, elle s'agrandit", U),
            ("carrelage cassé dans les toilettes, ça coupe", N),
            ("le muret du cimetière s'est effondré", U),
            ("enduit qui tombe par plaques sur la façade de l'école", U),
            ("marche de l'escalier extérieur descellée, quelqu'un va tomber", U),
            ("carreaux de faïence décollés au dessus de l'évier", B),
            ("joints du carrelage de la douche noirs et abîmés", B),
            ("fissure au plafond de la salle des fêtes", N),
            ("le pilier du préau est abimé, un camion l'a touché", U),
            ("reboucher les trous dans le mur après le déménagement", B),
            ("dalle béton du local poubelle fendue", B),
            ("mur de soutènement qui penche chemin du stade", U),
            ("des morceaux de crépi tombent sur le trottoir", U),
            ("le seuil de la porte d'entrée est cassé", N),
            ("creer une rampe béton pour l'accès PMR", B),
        ],
    },
    "couverture": {
        "places": "in",
        "objects": [
            "le toit",
            "la toiture",
            "les tuiles",
            "une tuile",
            "les ardoises",
            "la gouttière",
            "les gouttières",
            "le chéneau",
            "la descente d'eau pluviale",
            "le toit terrasse",
            "l'étanchéité",
            "le zinc",
            "le velux",
            "le faîtage",
        ],
        "problems": [
            ("fuit", N),
            ("fuit quand il pleut", N),
            ("est bouchée", N),
            ("est bouchée par les feuilles", B),
            ("déborde quand il pleut", N),
            ("s'est envolée", U),
            ("est tombée dans la cour", U),
            ("laisse passer l'eau", N),
            ("est décrochée", N),
            ("est cassée", N),
            ("goutte sur les tables", N),
            ("est percée", N),
        ],
        "handwritten": [
            ("Infiltration par le plafond quand il pleut", N),
            ("Une TUILE est tombée dans la cour", U),
            ("il pleut dans la classe, on a mis des seaux", U),
            ("le plafond goutte dans la salle de sport a chaque averse", N),
            ("gouttière bouchée au dessus de l'entrée, cascade sur les parents", N),
            ("des ardoises se sont envolées avec la tempête", U),
            ("tache d'humidité au plafond qui grandit dernier étage", N),
            ("le chéneau déborde sur la façade", N),
            ("nettoyer les gouttières de l'école avant l'hiver", B),
            ("fuite toiture terrasse au dessus de la bibliothèque, les livres sont mouillés", U),
            ("velux de la salle du haut qui laisse passer l'eau", N),
            ("descente pluviale arrachée par un camion", N),
            ("mousse sur le toit du préau à enlever", B),
            ("plaques de fibro cassées sur l'abri à vélos", N),
            ("la pluie rentre par le toit de l'église", N),
        ],
    },
    "vitrerie": {
        "places": "in",
        "objects": [
            "la vitre",
            "le carreau",
            "la baie vitrée",
            "le vitrage",
            "le double vitrage",
            "la porte vitrée",
            "la vitrine",
            "le miroir",
            "la verrière",
            "l'imposte vitrée",
            "le hublot de la porte",
        ],
        "problems": [
            ("est cassée", U),
            ("est cassé", U),
            ("est fêlée", N),
            ("est fendue", N),
            ("est brisée", U),
            ("a un impact de caillou", N),
            ("est embuée à l'intérieur", B),
            ("est étoilée", N),
            ("a volé en éclats", U),
            ("est rayée", B),
        ],
        "handwritten": [
            ("Vitre cassée à la fenêtre de la bibliothèque", U),
            ("carreau cassé porte d'entrée", U),
            ("un ballon a cassé une vitre du gymnase, il y a du verre par terre", U),
            ("double vitrage fêlé salle 5", N),
            ("buée entre les deux vitres de la fenetre du bureau", B),
            ("vitre de la porte du hall étoilée après un choc", N),
            ("le miroir des toilettes est cassé, risque de coupure", U),
            ("vitrine d'affichage de la mairie brisée", N),
            ("impact sur la baie vitrée de la médiathèque", N),
            ("carreau fendu au dessus de la porte de la classe", N),
            ("vitre de l'abri bus explosée", U),
            ("remplacer le verre du panneau d'affichage", B),
            ("le hublot de la porte de la cuisine est fendu", N),
            ("jet de pierres : 3 vitres cassées à l'école", U),
            ("verrière du préau fissurée", N),
        ],
    },
    "espaces-verts": {
        "places": "out",
        "objects": [
            "l'arbre",
            "les arbres",
            "la haie",
            "la pelouse",
            "l'herbe",
            "les branches",
            "une grosse branche",
            "les massifs",
            "les mauvaises herbes",
            "les ronces",
            "l'arrosage automatique",
            "les feuilles mortes",
            "le terrain de foot",
            "les racines",
            "la jardinière",
            "le talus",
        ],
        "problems": [
            ("est à tailler", B),
            ("déborde sur le trottoir", N),
            ("n'a pas été tondue depuis un mois", B),
            ("est trop haute", B),
            ("est tombée sur la route", U),
            ("menace de tomber", U),
            ("gêne la visibilité au carrefour", N),
            ("envahit le chemin", B),
            ("fuit et arrose le trottoir", N),
            ("soulèvent le trottoir", N),
            ("sont à ramasser", B),
            ("est mort", N),
            ("touche les fils électriques", U),
            ("cache le panneau stop", U),
        ],
        "handwritten": [
            ("une grosse branche est tombée sur le chemin du stade", U),
            ("tondre la pelouse de l'école avant la kermesse", B),
            ("la haie du cimetière déborde sur le trottoir on ne passe plus avec une poussette", N),
            ("arbre penché après la tempête, il va tomber sur la route", U),
            ("tailler les arbres de la cour, les branches touchent les fenêtres", B),
            ("des ronces partout autour du city stade", B),
            ("l'arrosage automatique du rond point arrose la route", N),
            ("mauvaises herbes dans les massifs de la mairie", B),
            ("arbre mort au parc, dangereux", U),
            ("racines qui soulèvent l'enrobé devant la crèche", N),
            ("feuilles mortes glissantes devant l'entree de l ecole", N),
            ("herbe haute au lotissement, les habitants se plaignent", B),
            ("nid de frelons asiatiques dans l'arbre de la cour", U),
            ("planter des fleurs dans les jardinières de la place", B),
            ("terrain de foot pas tondu pour le match de dimanche", N),
        ],
    },
    "voirie": {
        "places": "out",
        "objects": [
            "le trottoir",
            "la chaussée",
            "la route",
            "un nid de poule",
            "des nids de poule",
            "le panneau stop",
            "le panneau",
            "la plaque d'égout",
            "le regard",
            "la bordure",
            "le ralentisseur",
            "le potelet",
            "la barrière",
            "le marquage au sol",
            "le passage piéton",
            "l'avaloir",
            "la grille d'eau pluviale",
            "l'enrobé",
        ],
        "problems": [
            ("est défoncé", N),
            ("est dangereux", U),
            ("s'est affaissé", U),
            ("est plein de trous", N),
            ("est tordu", N),
            ("a été arraché", N),
            ("est couché par terre", N),
            ("est effacé", B),
            ("bouge quand les voitures passent", N),
            ("est manquant, trou béant", U),
            ("est bouché, la rue est inondée", U),
            ("est cassé", N),
            ("fait un gros trou", U),
        ],
        "handwritten": [
            ("gros nid de poule rue des Lilas, une voiture a crevé", U),
            ("trottoir défoncé devant la pharmacie, les personnes âgées tombent", N),
            ("panneau stop couché au carrefour de la route de Nantes", U),
            ("la plaque d'égout claque à chaque voiture, ça réveille tout le monde", N),
            ("plus de marquage sur le passage piéton devant l'école", N),
            ("affaissement de la chaussée chemin des vignes", U),
            ("potelet arraché place du marché", B),
            ("avaloir bouché, la rue est inondée à chaque orage", N),
            ("trou dans la route au niveau du n°12, c'est dangereux en vélo", U),
            ("refaire le marquage des places de parking de la mairie", B),
            ("bordure de trottoir cassée allée des Tilleuls", B),
            ("le ralentisseur est tout cassé", N),
            ("regard sans couvercle sur le trottoir !!", U),
            ("boue sur la chaussée après les travaux agricoles", N),
            ("gravillons partout sur la route après le gravillonnage", N),
        ],
    },
    "nettoyage": {
        "places": "both",
        "objects": [
            "les poubelles",
            "la poubelle",
            "les déchets",
            "un dépôt sauvage",
            "les crottes de chien",
            "le sol",
            "les sanitaires",
            "les vitres",
            "les encombrants",
            "des seringues",
            "des tessons de bouteilles",
            "les feuilles",
            "les chewing-gums",
            "le conteneur à verre",
            "le local poubelle",
        ],
        "problems": [
            ("débordent", N),
            ("déborde", N),
            ("sont sales", B),
            ("traînent partout", N),
            ("sont à ramasser", N),
            ("n'a pas été ramassée", N),
            ("sent très mauvais", N),
            ("est dégoûtant", N),
            ("n'ont pas été nettoyés", N),
            ("ont été abandonnés", N),
            ("sont par terre près des jeux", U),
            ("est collant", B),
        ],
        "handwritten": [
            ("dépôt sauvage de gravats derrière la salle des fêtes", N),
            ("les poubelles de la place débordent depuis le marché", N),
            ("seringues trouvées dans le square près des jeux", U),
            ("crottes de chien partout devant l'école c'est une horreur", N),
            ("les sanitaires publics sont dans un état lamentable", N),
            ("verre cassé sur le parking de la salle des fêtes après la soirée", N),
            ("nettoyer la cour après la kermesse", B),
            ("vomi dans l'escalier de la médiathèque", N),
            ("encombrants abandonnés devant le conteneur à verre", N),
            ("Le bureau du personnel n'a pas été fait depuis une semaine", B),
            ("pigeons morts sous le préau", N),
            ("chewing gum collés sur tous les bancs", B),
            ("matelas abandonné sur le trottoir rue de la Gare", N),
            ("le local poubelle de la cantine sent très mauvais, des rats", U),
            ("sol du gymnase très sale et glissant", N),
        ],
    },
    "eclairage-public": {
        "places": "out",
        "objects": [
            "le lampadaire",
            "les lampadaires",
            "l'éclairage public",
            "l'éclairage de la rue",
            "le candélabre",
            "le réverbère",
            "la lanterne",
            "les lumières de la rue",
            "l'éclairage du parking",
            "le mât d'éclairage",
            "les illuminations de Noël",
            "l'horloge de l'éclairage",
        ],
        "problems": [
            ("est éteint", N),
            ("sont éteints", N),
            ("ne s'allume plus", N),
            ("clignote toute la nuit", B),
            ("reste allumé en plein jour", B),
            ("est tombé", U),
            ("penche dangereusement", U),
            ("a été percuté par une voiture", U),
            ("a la trappe ouverte, fils visibles", U),
            ("ne marche plus", N),
            ("s'éteint trop tôt", B),
        ],
        "handwritten": [
            ("lampadaire éteint devant le n°8, la rue est toute noire", N),
            ("plus d'éclairage public dans tout le lotissement", N),
            ("candélabre percuté par une voiture sur le rond-point, il penche", U),
            ("le reverbere clignote toute la nuit devant chez moi", B),
            ("les lampadaires du parking de la gare restent allumés la journée", B),
            ("trappe du lampadaire ouverte avec des fils, des enfants jouent à côté", U),
            ("Rue toute noire depuis 3 jours, on ne voit rien en rentrant du travail", N),
            ("l'éclairage du terrain de pétanque ne s'allume plus", N),
            ("poser les illuminations de Noël place de l'église", B),
            ("lumiere de la rue eteinte chemin du stade", N),
            ("l eclairage public s eteint a 22h au lieu de minuit", B),
            ("mât d'éclairage rouillé à la base, il bouge", U),
            ("le passage piéton devant l'école n'est plus éclairé", U),
            ("lampadaire cassé allée des Tilleuls", N),
            ("ampoule du réverbère grillée impasse des Roses", N),
        ],
    },
    "aires-de-jeux": {
        "places": "out",
        "objects": [
            "le toboggan",
            "la balançoire",
            "les balançoires",
            "le tourniquet",
            "le jeu à ressort",
            "la structure de jeux",
            "le filet d'escalade",
            "le sol amortissant",
            "la cabane",
            "le bac à sable",
            "le tape-cul",
            "la tyrolienne",
            "le panier de basket",
            "les buts du city stade",
            "la barrière de l'aire de jeux",
        ],
        "problems": [
            ("est cassé", U),
            ("est cassée", U),
            ("a une vis qui dépasse", U),
            ("est arraché", U),
            ("grince", B),
            ("bouge, il n'est plus fixé", U),
            ("a une planche fendue", N),
            ("est décollé, on se prend les pieds", N),
            ("est sale, il y a des crottes", N),
            ("a la chaîne rouillée", N),
            ("est brûlé", N),
            ("est tagué", B),
            ("est troué", N),
        ],
        "handwritten": [
            ("balançoire cassée au square, la chaîne a lâché", U),
            ("le toboggan de l'aire de jeux a une vis qui dépasse, mon fils s'est coupé", U),
            ("sol souple décollé sous le tourniquet", N),
            ("le jeu à ressort du parc bouge dans tous les sens", U),
            ("filet d'escalade déchiré au city park", N),
            ("bac à sable plein de crottes de chat", N),
            ("panier de basket arraché au city stade", N),
            ("la balancoire grince tres fort", B),
            ("cabane de l'aire de jeux de l'école maternelle : planche cassée", N),
            ("contrôle annuel des jeux de la cour à prévoir", B),
            ("but de foot du city qui n'est plus fixé, il peut tomber sur un enfant", U),
            ("la barrière de l'aire de jeux ne se ferme plus, les chiens rentrent", N),
            ("tyrolienne bloquée au milieu", N),
            ("structure de jeux brûlée cette nuit", U),
            ("le tape cul est cassé", N),
        ],
    },
    "ascenseurs": {
        "places": "in",
        "objects": [
            "l'ascenseur",
            "la plateforme élévatrice",
            "le monte-charge",
            "l'élévateur PMR",
            "la porte de l'ascenseur",
            "le bouton d'appel de l'ascenseur",
            "le téléphone de l'ascenseur",
            "le monte-plats",
        ],
        "problems": [
            ("est en panne", N),
            ("est bloqué", U),
            ("est bloqué avec quelqu'un dedans", U),
            ("ne s'arrête plus au bon niveau", U),
            ("fait un bruit inquiétant", N),
            ("ne s'ouvre plus", N),
            ("ne marche plus", N),
            ("est en défaut", N),
            ("ne répond plus", N),
            ("s'arrête entre deux étages", U),
        ],
        "handwritten": [
            ("ascenseur de la mairie en panne, les personnes en fauteuil ne peuvent pas monter", U),
            ("quelqu'un est coincé dans l'ascenseur de la médiathèque !!", U),
            ("l'ascenseur s'arrête 10 cm sous le palier, on trébuche", U),
            ("plateforme PMR du gymnase hors service", N),
            ("monte charge de la cantine bloqué au rdc", N),
            ("le bouton du 2e ne marche plus dans l ascenseur", N),
            ("l'alarme de l'ascenseur sonne dans le vide", N),
            ("ascenceur en panne depuis lundi au foyer des anciens", U),
            ("monte plat de la cuisine ne monte plus", N),
            ("bruit de frottement dans la cabine d'ascenseur", N),
            ("asc HS à l'EHPAD", U),
            ("la porte de l'ascenseur se referme sur les gens", U),
            ("elevateur pmr de l'ecole bloqué en haut", N),
            ("visite d'entretien de l'ascenseur pas faite ce trimestre", B),
            ("voyant défaut allumé sur l'ascenseur", N),
        ],
    },
    "securite-incendie": {
        "places": "in",
        "objects": [
            "l'extincteur",
            "les extincteurs",
            "l'alarme incendie",
            "la centrale incendie",
            "le SSI",
            "le BAES",
            "les blocs de secours",
            "le détecteur de fumée",
            "le désenfumage",
            "la porte coupe-feu",
            "le déclencheur manuel",
            "le RIA",
            "l'alarme PPMS",
            "le plan d'évacuation",
        ],
        "problems": [
            ("est en défaut", U),
            ("sonne sans arrêt", U),
            ("s'est déclenchée pour rien", N),
            ("est périmé", N),
            ("a été vidé", U),
            ("a disparu", U),
            ("ne s'allume plus", N),
            ("bipe", N),
            ("reste bloquée ouverte", N),
            ("est cassé", U),
            ("ne fonctionne plus", U),
            ("n'a pas été vérifié cette année", N),
        ],
        "handwritten": [
            ("l'alarme incendie s'est déclenchée 3 fois cette semaine sans raison", U),
            ("extincteur vidé par des jeunes dans le hall du gymnase", U),
            ("BAES éteint au dessus de la sortie de secours", N),
            ("la centrale incendie affiche défaut, bip en continu", U),
            ("detecteur de fumee qui bip dans le dortoir", N),
            ("porte coupe feu calée avec une chaise, le ferme porte est cassé", N),
            ("extincteurs à vérifier, étiquette de 2023", N),
            ("vitre du boitier bris de glace cassée", U),
            ("le désenfumage de la salle des fêtes ne s'ouvre pas", U),
            ("plus d'alarme incendie a l ecole !!", U),
            ("plan d'évacuation à mettre à jour à la médiathèque", B),
            ("bloc de secours qui clignote dans l'escalier", N),
            ("alarme PPMS inaudible dans la classe du fond", U),
            ("RIA du gymnase qui fuit", N),
            ("exercice incendie : la sirène ne s'entend pas au 1er", U),
        ],
    },
}

SMS = [
    ("bonjour", "bjr"),
    ("problème", "pb"),
    ("s'il vous plaît", "svp"),
    ("beaucoup", "bcp"),
    ("quand", "qd"),
    ("dans", "ds"),
    ("toujours", "tjrs"),
    ("pour", "pr"),
    ("c'est", "c"),
    ("il y a", "ya"),
    ("rez-de-chaussée", "rdc"),
    ("aujourd'hui", "auj"),
    ("rendez-vous", "rdv"),
    ("hors service", "HS"),
    ("ne marche plus", "marche plus"),
    ("ne fonctionne plus", "fonctionne pas"),
    ("est en panne", "en panne"),
    ("toilettes", "wc"),
    ("quelqu'un", "qqn"),
    ("très", "tres"),
    ("merci", "mci"),
]
ACCENTS = str.maketrans("éèêëàâäîïôöùûüç", "eeeeaaaiioouuuc")


def typo(text: str, rng: random.Random) -> str:
    """One slip of the finger: a swapped, dropped or doubled letter in a longer word."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.35:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind < 0.7:
        word = word[:j] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)


def roughen(text: str, rng: random.Random) -> str:
    """The ways people type: SMS style, no accents, capitals, lower case, typos."""
    if rng.random() < 0.35:
        for long, short in SMS:
            if long in text and rng.random() < 0.7:
                text = text.replace(long, short)
    if rng.random() < 0.3:
        text = text.translate(ACCENTS)
    if rng.random() < 0.25:
        text = text.replace("'", " ")
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        text = typo(text, rng)
    roll = rng.random()
    if roll < 0.08:
        text = text.upper()
    elif roll < 0.4:
        text = text.lower()
    else:
        text = text[:1].upper() + text[1:]
    return " ".join(text.split(" ")).strip()


def place(kind: str, rng: random.Random) -> str:
    if kind == "both":
        kind = rng.choice(("in", "out"))
    if kind == "out":
        return rng.choice(OUTDOOR)
    parts = [rng.choice(ROOMS), rng.choice(INDOOR)]
    if rng.random() < 0.4:
        parts = [rng.choice(parts)]
    return " ".join(part for part in parts if part)


def compose(spec: dict, rng: random.Random) -> tuple[str, str]:
    thing = rng.choice(spec["objects"])
    problem, priority = rng.choice(spec["problems"])
    where = place(spec["places"], rng)
    shape = rng.random()
    if shape < 0.45:
        body = f"{thing} {problem} {where}"
    elif shape < 0.7:
        body = f"{where} : {thing} {problem}" if where else f"{thing} {problem}"
    elif shape < 0.85:
        body = f"{thing} {where} qui {problem}" if where else f"{thing} qui {problem}"
    else:
        body = f"{thing} {problem}"
    marker = rng.random()
    if marker < 0.12:
        body += rng.choice(URGENT_MARKERS)
        priority = U
    elif marker < 0.2 and priority != U:
        body += rng.choice(LOW_MARKERS)
        priority = B
    text = rng.choice(OPENINGS) + body.strip() + rng.choice(CLOSINGS)
    return roughen(text, rng), priority


def rows(seed: int = SEED, per_trade: int = PER_TRADE) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)  # noqa: S311 — reproducible text, not secrets
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for trade, spec in TRADES.items():
        kept = 0
        for text, priority in spec["handwritten"]:
            out.append((text, trade, priority))
            seen.add(text.lower())
            kept += 1
            # Each hand-written request also comes back typed the way other people would type it.
            for _ in range(3):
                variant = roughen(text, rng)
                if variant.lower() not in seen:
                    out.append((variant, trade, priority))
                    seen.add(variant.lower())
                    kept += 1
        attempts = 0
        while kept < per_trade and attempts < per_trade * 20:
            attempts += 1
            text, priority = compose(spec, rng)
            text = " ".join(text.split())
            if len(text) < 6 or text.lower() in seen:
                continue
            seen.add(text.lower())
            out.append((text, trade, priority))
            kept += 1
    return out


def write(path: Path) -> int:
    data = rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["text", "trade", "priority"])
        for text, trade, priority in data:
            writer.writerow([text.replace("\n", " "), trade, priority])
    return len(data)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("corpus.csv")
    print(f"{write(target)} rows → {target}")


def synthetic_history(count: int, seed: int = SEED + 1) -> list[tuple[str, str, str]]:
    """`count` composed requests (repeats allowed, as in a real history), trades in equal shares."""
    rng = random.Random(seed)  # noqa: S311 — reproducible text, not secrets
    trades = list(TRADES.items())
    out = []
    for i in range(count):
        trade, spec = trades[i % len(trades)]
        text, priority = compose(spec, rng)
        out.append((" ".join(text.split()), trade, priority))
    return out


def composed_only(per_trade: int, seed: int = SEED + 2) -> list[tuple[str, str, str]]:
    """Composed requests only, no hand-written one: to measure how the model does on real phrasing."""
    return [row for row in synthetic_history(per_trade * len(TRADES), seed)]


def handwritten() -> list[tuple[str, str, str]]:
    return [(text, trade, priority) for trade, spec in TRADES.items() for text, priority in spec["handwritten"]]
