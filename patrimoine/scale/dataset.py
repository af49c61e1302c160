"""A believable, reproducible agglomeration at a chosen size, for benchmarks: `generate_dataset`.

Everything is drawn from one seeded `random.Random`, so the same size and seed give the same rows
(UUIDs included). Rows are streamed to the database (COPY on PostgreSQL) organisation by
organisation and year by year: memory holds the ids of one organisation's registry, never its
history. Work orders are consistent with their lines (totals = sum of time, material and external
lines; a check constraint holds it), their requests, transitions and reference numbers; the reference
sequences are moved past the generated numbers so that the application goes on numbering after them.
The dashboards' rollups are computed at the end from what was loaded (`reporting.rollups.rebuild`).
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_scopes import scopes_disabled

from patrimoine.accounts.models import User
from patrimoine.assets.models import Building, Equipment, EquipmentCategory, Level, Site, Space, search_key
from patrimoine.core.models import ReferenceSequence
from patrimoine.costs.models import ExternalCost, LabourRate, MaterialLine, TimeEntry
from patrimoine.intake.models import WorkRequest, fold
from patrimoine.maintenance.models import MaintenancePlan
from patrimoine.organisations.models import Membership, Organisation, Team, TeamMember, Trade
from patrimoine.reporting import rollups
from patrimoine.workorders.models import WorkOrder, WorkOrderTechnician, WorkOrderTransition

from .rows import RowWriter

PARIS = ZoneInfo("Europe/Paris")
CENT = Decimal("0.01")
PREFIX = "gen-"
PASSWORD = "patrimoine-bench"


@scopes_disabled()
def existing_dataset() -> bool:
    return Organisation.objects.filter(slug__startswith=PREFIX).exists()


@dataclass(frozen=True)
class Size:
    communes: int
    buildings: int
    equipment: int
    requests: int
    orders: int
    plans: int
    users: int
    years: int = 10


SIZES = {
    # For tests: every kind of row, in seconds.
    "tiny": Size(communes=2, buildings=8, equipment=80, requests=120, orders=400, plans=20, users=40, years=2),
    "commune": Size(
        communes=1, buildings=300, equipment=25_000, requests=30_000, orders=150_000, plans=2_500, users=150
    ),
    "ville": Size(
        communes=6, buildings=1_200, equipment=100_000, requests=100_000, orders=700_000, plans=10_000, users=700
    ),
    "metropole": Size(
        communes=24,
        buildings=4_000,
        equipment=360_000,
        requests=300_000,
        orders=2_500_000,
        plans=30_000,
        users=2_000,
    ),
}

COMMUNES = [
    "Valmont-sur-Loire", "Saint-Aubin-les-Prés", "Beaurepaire", "La Chapelle-Haute", "Montfleury",
    "Sainte-Croix-du-Bois", "Les Essarts-Neufs", "Villeneuve-la-Rivière", "Château-Gaillon", "Le Pont-Neuf",
    "Saint-Martin-des-Champs", "Bellevue", "La Roche-Blanche", "Fontaine-Vive", "Les Moulins",
    "Champagné", "Saint-Hilaire-le-Vieux", "Puy-Gauthier", "La Garenne", "Mareuil-sur-Lay",
    "Saint-Georges-des-Bois", "Le Breuil", "Sainte-Hermine", "Les Lucs",
]  # fmt: skip
BUILDING_KINDS = [
    ("École élémentaire", True, "R", 4), ("École maternelle", True, "R", 5), ("Gymnase", True, "X", 3),
    ("Mairie", True, "W", 5), ("Salle polyvalente", True, "L", 3), ("Médiathèque", True, "S", 4),
    ("Centre technique municipal", False, "", None), ("Crèche", True, "R", 5), ("Stade", True, "PA", 4),
    ("Restaurant scolaire", True, "N", 4), ("Église", True, "V", 3), ("Piscine", True, "X", 2),
]  # fmt: skip
PEOPLE = ["Jean Jaurès", "Jules Ferry", "Louise Michel", "Victor Hugo", "Marie Curie", "Jean Moulin", "Simone Veil",
          "Pierre Mendès France", "George Sand", "Paul Bert", "Condorcet", "Jacques Prévert"]  # fmt: skip
STREETS = ["rue de la République", "avenue de la Gare", "place de l'Église", "rue des Écoles", "chemin des Vignes",
           "boulevard Clemenceau", "rue du Stade", "allée des Tilleuls", "route de Nantes", "rue Pasteur"]  # fmt: skip
JOBS = {
    "plomberie": ["Fuite sous l'évier", "Chasse d'eau qui coule", "Robinet cassé", "WC bouché",
                  "Ballon d'eau chaude en panne"],
    "electricite": ["Néons qui clignotent", "Prise arrachée", "Disjoncteur qui saute",
                    "Plus de lumière dans le couloir"],
    "menuiserie": ["Porte qui ferme mal", "Fenêtre bloquée", "Placard cassé", "Plinthe décollée"],
    "serrurerie": ["Serrure grippée", "Clé cassée dans la serrure", "Barre anti-panique dure"],
    "peinture": ["Tags sur le mur", "Peinture écaillée du préau", "Reprise de peinture après dégât des eaux"],
    "chauffage": ["Radiateur froid", "Chaudière en défaut", "Thermostat déréglé"],
}  # fmt: skip
MATERIALS = [("Joint fibre 15x21", "u", "0.45"), ("Flexible inox 50 cm", "u", "6.90"), ("Tube LED 120 cm", "u", "8.20"),
             ("Cylindre européen 30x30", "u", "24.50"), ("Peinture acrylique blanche", "l", "9.80"),
             ("Vis à bois 5x50 (boîte)", "u", "7.10"), ("Silicone sanitaire", "u", "5.60"),
             ("Disjoncteur 16 A", "u", "11.40"), ("Mitigeur lavabo", "u", "48.00"),
             ("Paumelle 110 mm", "u", "3.20")]  # fmt: skip
RATES = {"agent": Decimal("36.50"), "maitrise": Decimal("42.00"), "technicien": Decimal("48.50")}


@dataclass
class Crew:
    team_id: uuid.UUID
    lead_id: int
    technicians: list[tuple[int, str]]  # (user id, grade)
    trade_id: int


@dataclass
class Place:
    site_id: uuid.UUID
    building_id: uuid.UUID
    equipment: list[tuple[uuid.UUID, int]] = field(default_factory=list)  # (id, trade id)


@dataclass
class Counts:
    rows: dict = field(default_factory=dict)

    def add(self, writer: RowWriter) -> None:
        self.rows[writer.model._meta.label] = self.rows.get(writer.model._meta.label, 0) + writer.count


class Generator:
    def __init__(self, size: str, *, seed: int = 2026, today: date | None = None, log=print):
        self.size = SIZES[size]
        self.name = size
        self.rng = random.Random(seed)  # noqa: S311 — reproducible data, not secrets
        self.today = today or date.today()
        # Nothing happens after the end of `today` nor after now, as in the application.
        self.until = min(datetime.now(PARIS), datetime.combine(self.today, time(23, 59), PARIS))
        self.log = log
        self.counts = Counts()
        self.password = make_password(PASSWORD)
        self.next_user = 0

    # --- helpers ---------------------------------------------------------------------------------
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, day: date, hour_from=7, hour_to=17) -> datetime:
        minutes = self.rng.randrange(hour_from * 60, hour_to * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60), PARIS)

    def past(self, moment: datetime | None) -> datetime | None:
        """`moment`, or the end of the history if it falls after (what is not done yet is not dated)."""
        return None if moment is None else min(moment, self.until)

    def shares(self, total: int) -> list[int]:
        """Split `total` among communes, the central town largest."""
        weights = [1 / (i + 1) ** 0.7 for i in range(self.size.communes)]
        scale = total / sum(weights)
        parts = [max(1, int(w * scale)) for w in weights]
        parts[0] += total - sum(parts)
        return parts

    # --- the run ---------------------------------------------------------------------------------
    @scopes_disabled()
    def run(self) -> dict:
        if existing_dataset():
            raise ValueError("Un jeu de données généré existe déjà dans cette base (collectivités « gen-… »).")
        trades = {t.code: t.pk for t in Trade.objects.all()}
        categories = list(EquipmentCategory.objects.values_list("pk", "trade_id"))
        if not trades or not categories:
            raise ValueError("Les données de référence (corps de métier, catégories) manquent : lancez migrate.")
        self.trades = trades
        self.categories = categories
        with transaction.atomic():
            epci, communes = self.organisations()
        shared = self.people_and_teams(epci, communes)
        user_share = self.shares(self.size.users)
        for index, commune in enumerate(communes):
            with transaction.atomic():
                self.commune(commune, index, shared, user_share[index])
            self.log(f"  {commune.name} : fait")
        # The dashboards' rollups: one INSERT … SELECT … GROUP BY per event over what was just loaded.
        self.counts.rows.update(rollups.rebuild([epci.pk, *(commune.pk for commune in communes)]))
        self.log("  cumuls des tableaux de bord : faits")
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would eventually give: without them the planner takes
            # 150 000 freshly copied orders for 1 500 and picks nested loops that take seconds.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return {"size": self.name, "rows": self.counts.rows}

    def organisations(self):
        epci = Organisation.objects.create(
            name=f"Métropole générée ({self.name})", slug=f"{PREFIX}epci", kind=Organisation.Kind.EPCI
        )
        communes = [
            Organisation.objects.create(
                name=f"{COMMUNES[i % len(COMMUNES)]}{'' if i < len(COMMUNES) else f' {i}'} ({self.name})",
                slug=f"{PREFIX}{i + 1:02d}",
                parent=epci,
                overhead_rate=Decimal("8.00"),
            )
            for i in range(self.size.communes)
        ]
        return epci, communes

    def user(self, org, role, label: str) -> int:
        self.next_user += 1
        user = User(
            username=f"{org.slug}.{label}",
            first_name=self.rng.choice(["Karim", "Nadia", "Ahmed", "Sophie", "Luc", "Inès", "Paul", "Léa"]),
            last_name=self.rng.choice(["Martin", "Bernard", "Moreau", "Garnier", "Roux", "Fontaine", "Chevalier"]),
            email=f"{org.slug}.{label}@exemple.fr",
            password=self.password,
        )
        user.save()
        Membership.objects.create(user=user, organisation=org, role=role)
        return user.pk

    def team(self, org, name, trade_code, *, technicians: int, serves=()) -> Crew:
        Role = Membership.Role
        lead = self.user(org, Role.TEAM_LEAD, f"chef.{trade_code}")
        team = Team.objects.create(organisation=org, name=name, lead_id=lead)
        team.trades.add(self.trades[trade_code])
        team.served_organisations.set(serves)
        members = []
        for n in range(technicians):
            grade = self.rng.choice(["agent", "agent", "maitrise", "technicien"])
            uid = self.user(org, Role.TECHNICIAN, f"tech.{trade_code}{n + 1}")
            TeamMember.objects.create(team=team, user_id=uid, trade_id=self.trades[trade_code], grade=grade)
            members.append((uid, grade))
        return Crew(team.pk, lead, members, self.trades[trade_code])

    def people_and_teams(self, epci, communes):
        with transaction.atomic():
            self.user(epci, Membership.Role.ADMIN, "admin")
            self.user(epci, Membership.Role.READER, "direction")
            self.rates(epci)
            technicians = max(2, self.size.users // 60)
            return [
                self.team(epci, "Régie mutualisée bâtiment", "plomberie", technicians=technicians, serves=communes),
                self.team(
                    epci, "Régie mutualisée électricité", "electricite", technicians=technicians, serves=communes
                ),
            ]

    def rates(self, org):
        for year in range(self.today.year - self.size.years, self.today.year + 1):
            for grade, rate in RATES.items():
                LabourRate.objects.create(
                    organisation=org,
                    year=year,
                    grade=grade,
                    hourly_rate=(rate * Decimal(1 - 0.02 * (self.today.year - year))).quantize(CENT),
                )

    # --- one commune -----------------------------------------------------------------------------
    def commune(self, org, index, shared, users):
        Role = Membership.Role
        self.rates(org)
        self.user(org, Role.ADMIN, "admin")
        self.user(org, Role.MANAGER, "gestionnaire")
        self.user(org, Role.READER, "elu")
        per_team = max(1, (users - 6) // 8)
        crews = [
            self.team(org, "Régie bâtiment", "plomberie", technicians=per_team),
            self.team(org, "Électricité", "electricite", technicians=per_team),
            self.team(org, "Menuiserie", "menuiserie", technicians=max(1, per_team // 2)),
        ]
        requesters = [
            self.user(org, Role.REQUESTER, f"demandeur{n + 1}") for n in range(max(1, users - 6 - 4 * per_team))
        ]
        places = self.registry(org, index)
        self.plans(org, index, places, crews)
        self.history(org, index, places, crews + shared, requesters)

    def registry(self, org, index) -> list[Place]:
        buildings = self.shares(self.size.buildings)[index]
        equipment = self.shares(self.size.equipment)[index]
        per_building = max(1, equipment // buildings)
        now = datetime.now(PARIS)
        places = []
        with (
            RowWriter(Site) as sites,
            RowWriter(Building) as building_rows,
            RowWriter(Level) as levels,
            RowWriter(Space) as spaces,
            RowWriter(Equipment) as equipment_rows,
        ):
            site_id = None
            for b in range(buildings):
                kind, erp, erp_type, erp_cat = BUILDING_KINDS[b % len(BUILDING_KINDS)]
                name = f"{kind} {self.rng.choice(PEOPLE)}" if b >= len(BUILDING_KINDS) else kind
                address = f"{self.rng.randint(1, 120)} {self.rng.choice(STREETS)}"
                city = org.name.rsplit(" (", 1)[0]
                if b % 2 == 0:
                    site_id = self.uuid()
                    site_name, site_code = f"Site {name}", f"S{b // 2 + 1:04d}"
                    sites.add(
                        id=site_id, organisation_id=org.pk, created_at=now, updated_at=now, name=site_name,
                        code=site_code, address=address, city=city, postal_code="85000",
                        search_text=search_key(site_name, site_code, address, "85000", city),
                    )  # fmt: skip
                building_id, code = self.uuid(), f"B{b + 1:04d}"
                lat = Decimal("46.6") + Decimal(self.rng.randrange(0, 200000)) / Decimal(1_000_000)
                lon = Decimal("-1.5") + Decimal(self.rng.randrange(0, 300000)) / Decimal(1_000_000)
                building_rows.add(
                    id=building_id, organisation_id=org.pk, created_at=now, updated_at=now, site_id=site_id,
                    name=name, code=code, address=address, city=city, postal_code="85000", latitude=lat,
                    longitude=lon, surface_m2=Decimal(self.rng.randrange(150, 4000)), is_erp=erp,
                    erp_type=erp_type, erp_category=erp_cat, construction_year=self.rng.randrange(1900, 2020),
                    search_text=search_key(name, code, address, "85000", city),
                )  # fmt: skip
                place = Place(site_id, building_id)
                level_ids = []
                for position, level_name in enumerate(["Rez-de-chaussée", "1er étage"]):
                    level_id = self.uuid()
                    levels.add(
                        id=level_id, organisation_id=org.pk, created_at=now, updated_at=now,
                        building_id=building_id, name=level_name, position=position,
                    )  # fmt: skip
                    level_ids.append(level_id)
                space_ids = []
                for s, space_name in enumerate(["Hall", "Sanitaires", "Salle 1", "Local technique"]):
                    space_id = self.uuid()
                    spaces.add(
                        id=space_id, organisation_id=org.pk, created_at=now, updated_at=now,
                        level_id=level_ids[s % 2], name=space_name, code=f"{code}-{s + 1:02d}",
                    )  # fmt: skip
                    space_ids.append((space_id, level_ids[s % 2]))
                for e in range(per_building):
                    category_id, trade_id = self.rng.choice(self.categories)
                    space_id, level_id = self.rng.choice(space_ids)
                    eq_id, eq_code = self.uuid(), f"EQ-{b + 1:04d}-{e + 1:04d}"
                    eq_name = f"Équipement {eq_code}"
                    equipment_rows.add(
                        id=eq_id, organisation_id=org.pk, created_at=now, updated_at=now, site_id=site_id,
                        building_id=building_id, level_id=level_id, space_id=space_id, category_id=category_id,
                        name=eq_name, code=eq_code, installed_on=date(self.rng.randrange(1990, 2025), 1, 1),
                        search_text=search_key(eq_name, eq_code),
                    )  # fmt: skip
                    place.equipment.append((eq_id, trade_id or self.trades["plomberie"]))
                places.append(place)
        for writer in (sites, building_rows, levels, spaces, equipment_rows):
            self.counts.add(writer)
        return places

    def plans(self, org, index, places, crews):
        now = datetime.now(PARIS)
        count = self.shares(self.size.plans)[index]
        with RowWriter(MaintenancePlan) as plans:
            for n in range(count):
                place = places[n % len(places)]
                eq_id, trade_id = place.equipment[(n // len(places)) % len(place.equipment)]
                crew = self.rng.choice(crews)
                month = self.rng.randint(1, 12)
                plans.add(
                    id=self.uuid(), organisation_id=org.pk, created_at=now, updated_at=now,
                    name=f"Entretien annuel {n + 1}", target="equipement", equipment_id=eq_id, trigger="calendrier",
                    rrule=f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY=15",
                    dtstart=datetime(self.today.year, month, 15, 8, tzinfo=PARIS), lead_days=30,
                    trade_id=trade_id, team_id=crew.team_id, estimated_hours=Decimal("2.00"),
                    estimated_cost=Decimal("120.00"),
                )  # fmt: skip
        self.counts.add(plans)

    def history(self, org, index, places, crews, requesters):
        """Work orders (with their requests, transitions and cost lines), year by year, in time order."""
        orders_total = self.shares(self.size.orders)[index]
        requests_total = self.shares(self.size.requests)[index]
        first_year = self.today.year - self.size.years + 1
        years = list(range(first_year, self.today.year + 1))
        # Activity grows a little every year; the current year is partial.
        weights = [1 + 0.05 * i for i in range(len(years))]
        weights[-1] *= self.today.timetuple().tm_yday / 365
        per_year = [int(orders_total * w / sum(weights)) for w in weights]
        per_year[-1] += orders_total - sum(per_year)
        accept_rate = min(0.95, requests_total * 0.85 / orders_total)
        sequences = []
        writers = {
            model: RowWriter(model)
            for model in (WorkOrder, WorkRequest, WorkOrderTransition, TimeEntry, MaterialLine, ExternalCost)
        }
        technicians_through = RowWriter(WorkOrderTechnician)
        for year, count in zip(years, per_year, strict=True):
            last_day = min(date(year, 12, 31), self.today)
            span = (last_day - date(year, 1, 1)).days + 1
            days = sorted(date(year, 1, 1) + timedelta(days=self.rng.randrange(span)) for _ in range(count))
            requests_in_year = 0
            for n, day in enumerate(days, start=1):
                request_ref = None
                if self.rng.random() < accept_rate:
                    requests_in_year += 1
                    request_ref = f"DI-{year}-{requests_in_year:06d}"
                self.order(org, writers, technicians_through, places, crews, requesters, day,
                           f"BT-{year}-{n:06d}", request_ref)  # fmt: skip
            # Requests that never became orders: rejected, merged, or still to triage.
            extra = int(requests_in_year * 0.15 / 0.85)
            for _ in range(extra):
                requests_in_year += 1
                day = date(year, 1, 1) + timedelta(days=self.rng.randrange(span))
                self.lone_request(
                    org, writers[WorkRequest], places, requesters, day, f"DI-{year}-{requests_in_year:06d}"
                )
            sequences += [("BT", year, count), ("DI", year, requests_in_year)]
        for writer in [*writers.values(), technicians_through]:
            writer.flush()
            self.counts.add(writer)
        ReferenceSequence.objects.bulk_create(
            [ReferenceSequence(organisation=org, prefix=p, year=y, last_value=v) for p, y, v in sequences if v]
        )

    def order(self, org, writers, technicians_through, places, crews, requesters, day, reference, request_ref):
        rng = self.rng
        place = rng.choice(places)
        eq_id, trade_id = rng.choice(place.equipment)
        crew = rng.choice(crews)
        created = self.past(self.moment(day))
        age = (self.today - day).days
        if age > 45:
            status = "valide" if rng.random() < 0.94 else "annule"
        else:
            status = rng.choice(["a_planifier", "planifie", "planifie", "en_cours", "suspendu", "termine", "valide"])
        order_id = self.uuid()
        code = rng.choice(list(JOBS))
        title = rng.choice(JOBS[code])
        technician_id, grade = rng.choice(crew.technicians)
        labour = material = external = Decimal("0")
        worked = status in ("en_cours", "suspendu", "termine", "valide")
        rate = (RATES[grade] * Decimal(1 - 0.02 * (self.today.year - day.year))).quantize(CENT)
        if worked:
            for _ in range(1 + (rng.random() < 0.3)):
                hours = Decimal(rng.randrange(2, 24)) / 4
                amount = (hours * rate).quantize(CENT)
                labour += amount
                writers[TimeEntry].add(
                    id=self.uuid(), organisation_id=org.pk, created_at=created, updated_at=created,
                    work_order_id=order_id, created_by_id=technician_id, amount=amount,
                    technician_id=technician_id, date=day, hours=hours, hourly_rate=rate,
                )  # fmt: skip
            for _ in range(rng.choice((0, 1, 1, 2))):
                label, unit, cost = rng.choice(MATERIALS)
                quantity = Decimal(rng.randint(1, 6))
                amount = (quantity * Decimal(cost)).quantize(CENT)
                material += amount
                writers[MaterialLine].add(
                    id=self.uuid(), organisation_id=org.pk, created_at=created, updated_at=created,
                    work_order_id=order_id, created_by_id=technician_id, amount=amount, label=label,
                    quantity=quantity, unit=unit, unit_cost=Decimal(cost),
                )  # fmt: skip
            if rng.random() < 0.15:
                amount = Decimal(rng.randrange(8000, 250000)) / 100
                external += amount
                writers[ExternalCost].add(
                    id=self.uuid(), organisation_id=org.pk, created_at=created, updated_at=created,
                    work_order_id=order_id, created_by_id=crew.lead_id, amount=amount,
                    description="Intervention d'une entreprise", invoice_reference=f"F{rng.randrange(10**6):06d}",
                )  # fmt: skip
        started = created + timedelta(days=rng.randint(0, 5), hours=1) if worked else None
        completed = started + timedelta(hours=rng.randint(1, 30)) if status in ("termine", "valide") else None
        validated = completed + timedelta(days=rng.randint(1, 10)) if status == "valide" else None
        started, completed, validated = self.past(started), self.past(completed), self.past(validated)
        planned = status != "a_planifier" and status != "annule"
        planned_start = self.moment(day + timedelta(days=rng.randint(0, 7))) if planned else None
        priority = rng.choice(["1_basse", "2_normale", "2_normale", "2_normale", "3_haute", "4_urgente"])
        due_date = day + timedelta(days=rng.randint(3, 30))
        # An order is last saved when cancelled (the services save it then).
        cancelled = self.past(created + timedelta(days=rng.randint(1, 20))) if status == "annule" else None
        writers[WorkOrder].add(
            id=order_id, organisation_id=org.pk, created_at=created,
            updated_at=validated or completed or cancelled or created,
            reference=reference, title=title, description=f"{title} — signalé par l'usager.", kind="curatif",
            trade_id=self.trades.get(code, trade_id), priority=priority, status=status,
            suspension_reason="pieces" if status == "suspendu" else "", site_id=place.site_id,
            building_id=place.building_id, equipment_id=eq_id, due_date=due_date,
            planned_start=planned_start, planned_end=planned_start + timedelta(hours=2) if planned_start else None,
            team_id=crew.team_id, created_by_id=crew.lead_id, started_at=started, completed_at=completed,
            validated_at=validated, validated_by_id=crew.lead_id if validated else None, labour_cost=labour,
            material_cost=material, external_cost=external, total_cost=labour + material + external, version=1,
        )  # fmt: skip
        technicians_through.add(workorder_id=order_id, user_id=technician_id, organisation_id=org.pk)
        steps = [("", "a_planifier", created)]
        if status == "annule":
            steps.append(("a_planifier", "annule", cancelled))
        elif status != "a_planifier":
            steps.append(("a_planifier", "planifie", self.past(created + timedelta(hours=2))))
            if validated:
                steps.append(("termine", "valide", validated))
        for from_status, to_status, at in steps:
            writers[WorkOrderTransition].add(
                id=self.uuid(), organisation_id=org.pk, created_at=at, updated_at=at, work_order_id=order_id,
                from_status=from_status, to_status=to_status, actor_id=crew.lead_id, at=at,
            )  # fmt: skip
        if request_ref:
            description = f"{title} ({rng.choice(['salle 3', 'couloir', 'préau', 'vestiaires', 'hall'])})"
            writers[WorkRequest].add(
                id=self.uuid(), organisation_id=org.pk, created_at=created - timedelta(hours=3),
                updated_at=created, reference=request_ref, status="acceptee", channel="interne",
                requested_by_id=rng.choice(requesters), site_id=place.site_id, building_id=place.building_id,
                description=description, urgency="normale", trade_id=trade_id, triaged_by_id=crew.lead_id,
                triaged_at=created, work_order_id=order_id, search_text=fold(f"{request_ref} {description}"),
            )  # fmt: skip

    def lone_request(self, org, writer, places, requesters, day, reference):
        rng = self.rng
        place = rng.choice(places)
        created = self.past(self.moment(day))
        recent = (self.today - day).days < 10
        status = "nouvelle" if recent else "rejetee"
        description = rng.choice(JOBS[rng.choice(list(JOBS))])
        writer.add(
            id=self.uuid(), organisation_id=org.pk, created_at=created, updated_at=created, reference=reference,
            status=status, channel=rng.choice(["interne", "citoyen", "guichet"]),
            requested_by_id=rng.choice(requesters), site_id=place.site_id, building_id=place.building_id,
            description=description, urgency="normale",
            rejection_reason="Relève d'un autre service." if status == "rejetee" else "",
            search_text=fold(f"{reference} {description}"),
        )  # fmt: skip
