"""Demo: the money side of the agglomeration — stores and their ledger at CUMP, public contracts with
their price schedules, purchase orders at every status with their invoices, and each organisation's
budget for this year and last year.

Everything goes through the services (stock, purchasing, budgets), as a user of each organisation
would, in date order, so the ledger, the CUMP and the budget figures are exactly what the
application computes. The historical material lines of the last three months become issues from
the stores; their items enter at their catalogue cost, so those lines stay valued at their item's
CUMP. Written once: nothing is created when the demo organisations already have a store, a contract
or a budget line.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from patrimoine.assets.models import Building
from patrimoine.budgets.models import BudgetLine
from patrimoine.budgets.selectors import budget_report
from patrimoine.budgets.services import budget_line_save
from patrimoine.costs.models import MaterialLine
from patrimoine.demo.data import organisations as people
from patrimoine.demo.reference import Reference
from patrimoine.organisations.access import access_for_user
from patrimoine.purchasing.models import Contract
from patrimoine.purchasing.services import (
    contract_create,
    invoice_record,
    lot_add,
    price_line_add,
    purchase_order_cancel,
    purchase_order_commit,
    purchase_order_create,
    purchase_order_line_add,
    purchase_order_receive,
)
from patrimoine.stock.models import Item, StockLevel, Store
from patrimoine.stock.services import (
    stock_count_record,
    stock_issue,
    stock_receive,
    stock_threshold_set,
    stock_transfer,
    store_create,
)
from patrimoine.workorders.models import WorkOrder

SEED = 5005
STOCK_DAYS = 90
CENT = Decimal("0.01")
Section = BudgetLine.Section

# slug: store code, store name, whose chef issues the material
STORES = {
    people.EPCI: ("CENTRAL", "Magasin de la régie mutualisée"),
    people.NESMY: ("ATELIER", "Atelier municipal de Nesmy"),
    people.VENANSAULT: ("ATELIER", "Atelier municipal de Venansault"),
    people.AUBIGNY: ("ATELIER", "Atelier municipal d'Aubigny"),
}
VAN = ("FOURGON-PLB", "Fourgon plomberie de la régie")

# slug: (contract number, object, procedure, [(lot title, contractor, trade code, max HT, [BPU rows])])
CONTRACTS = {
    people.EPCI: (
        "2025-014",
        "Maintenance des ascenseurs et de la sécurité incendie des équipements communautaires",
        Contract.Procedure.FRAMEWORK,
        [
            (
                "Ascenseurs et monte-charges",
                "Ascenseurs Atlantique Maintenance",
                "electricite",
                "60000",
                [
                    ("A01", "Visite de maintenance préventive (par appareil)", "u", "145.00"),
                    ("A02", "Dépannage en heures ouvrées", "h", "78.00"),
                    ("A03", "Dépannage d'astreinte, nuit et week-end", "h", "118.00"),
                    ("A04", "Remplacement d'un bouton palier", "u", "64.50"),
                ],
            ),
            (
                "Sécurité incendie",
                "Ouest Sécurité Incendie",
                "securite-incendie",
                "40000",
                [
                    ("S01", "Vérification annuelle d'un extincteur", "u", "6.20"),
                    ("S02", "Vérification d'un système de sécurité incendie", "u", "420.00"),
                    ("S03", "Recharge d'extincteur à poudre 6 kg", "u", "38.00"),
                ],
            ),
        ],
    ),
    people.NESMY: (
        "2026-003",
        "Entretien des couvertures et de l'électricité des bâtiments communaux",
        Contract.Procedure.MAPA,
        [
            (
                "Couverture, zinguerie",
                "Baudry Couverture",
                "couverture",
                "25000",
                [
                    ("C01", "Heure de couvreur", "h", "48.00"),
                    ("C02", "Remplacement d'une ardoise", "u", "12.80"),
                    ("C03", "Nettoyage de gouttière", "ml", "6.40"),
                    ("C04", "Nacelle, demi-journée", "u", "185.00"),
                ],
            ),
            (
                "Électricité",
                "Yon Électricité Services",
                "electricite",
                "30000",
                [
                    ("E01", "Heure d'électricien", "h", "52.00"),
                    ("E02", "Remplacement d'un bloc de secours (BAES)", "u", "96.00"),
                ],
            ),
        ],
    ),
    people.VENANSAULT: (
        "2025-021",
        "Maintenance de la sécurité incendie et du chauffage",
        Contract.Procedure.MAPA,
        [
            (
                "Sécurité incendie",
                "Boisseau Sécurité Incendie",
                "securite-incendie",
                "18000",
                [
                    ("S01", "Vérification annuelle d'un extincteur", "u", "5.90"),
                    ("S02", "Contrôle d'un système d'alarme type 4", "u", "135.00"),
                    ("S03", "Remplacement d'un déclencheur manuel", "u", "74.00"),
                ],
            ),
            (
                "Chauffage",
                "Thermique Services Vendée",
                "cvc",
                "35000",
                [
                    ("T01", "Entretien annuel d'une chaudière gaz", "u", "165.00"),
                    ("T02", "Heure de chauffagiste", "h", "58.00"),
                ],
            ),
        ],
    ),
    people.AUBIGNY: (
        "2026-008",
        "Travaux d'électricité dans les bâtiments communaux",
        Contract.Procedure.MAPA,
        [
            (
                "Électricité",
                "Rambaud Électricité",
                "electricite",
                "20000",
                [
                    ("E01", "Heure d'électricien", "h", "49.00"),
                    ("E02", "Remplacement d'un luminaire LED", "u", "118.00"),
                    ("E03", "Mise en conformité d'un tableau divisionnaire", "u", "640.00"),
                ],
            ),
        ],
    ),
}

# the last lot's trade → capital works ordered outside the contract: (object, main line)
CAPITAL_WORKS = {
    "electricite": ("Remplacement du tableau général basse tension", "Tableau général basse tension, fourni posé"),
    "cvc": ("Remplacement de la chaudière", "Chaudière gaz à condensation 90 kW, posée"),
    "securite-incendie": (
        "Remplacement du système de sécurité incendie",
        "Système de sécurité incendie de catégorie A",
    ),
}

# code, label, section, link ("default", trade code, "building" or None), target consumption this year
LINES = [
    ("011-615221", "Entretien et réparations des bâtiments", Section.OPERATING, "default", Decimal("0.78")),
    ("011-615221-CVC", "Chauffage et ventilation : dépannages", Section.OPERATING, "cvc", Decimal("0.66")),
    (
        "011-6156",
        "Maintenance des équipements (ascenseurs, sécurité incendie)",
        Section.OPERATING,
        "securite-incendie",
        Decimal("0.95"),
    ),
    ("011-615221-BAT", "Entretien du bâtiment", Section.OPERATING, "building", Decimal("0.71")),
    ("21-21312", "Travaux dans les bâtiments", Section.CAPITAL, None, Decimal("0.58")),
    ("21-2158", "Matériel et outillage techniques", Section.CAPITAL, None, Decimal("0.35")),
]
LAST_YEAR_RATIO = Decimal("0.97")
PROVISIONAL = Decimal("9999999")


def build_finance(ref: Reference, now: datetime) -> None:
    """Stores, contracts, orders and budgets of the demo organisations, once."""
    org_ids = [org.pk for org in ref.orgs.values()]
    if (
        Store.objects.filter(organisation_id__in=org_ids).exists()
        or Contract.objects.filter(organisation_id__in=org_ids).exists()
        or BudgetLine.objects.filter(organisation_id__in=org_ids).exists()
    ):
        return
    rng = random.Random(SEED)  # noqa: S311 — deterministic demo data, not security
    demo = _Demo(ref, now, rng)
    lines = {slug: demo.budget_lines(slug) for slug in people.ALL}
    for slug in people.ALL:
        demo.stock(slug)
    for slug in people.ALL:
        demo.purchasing(slug, lines[slug])
    for slug in people.ALL:
        demo.size_budget(slug, lines[slug])


@dataclass
class _Demo:
    ref: Reference
    now: datetime
    rng: random.Random

    def access(self, role: str, slug: str):
        return access_for_user(self.ref.users[f"{role}.{slug}"], self.ref.orgs[slug].pk)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def moment(self, days_ago: int, hour: int = 7, minute: int = 30) -> datetime:
        day = self.today - timedelta(days=days_ago)
        moment = datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())
        return min(moment, self.now, timezone.now())

    # --- Budgets ---------------------------------------------------------------------------------

    def budget_lines(self, slug: str) -> dict:
        """This year's and last year's lines, with provisional credits (sized at the end)."""
        access = self.access("gestionnaire", slug)
        building = self._main_building(slug)
        lines = {}
        for year in (self.today.year - 1, self.today.year):
            for code, label, section, link, _ratio in LINES:
                extra = {}
                if link == "default":
                    extra["is_default"] = True
                elif link == "building":
                    extra["building"] = building
                    label = f"Entretien — {building.name}"[:200]
                elif link is not None:
                    extra["trade"] = self.ref.trades[link]
                lines[(year, code)] = budget_line_save(
                    access=access,
                    year=year,
                    section=section,
                    code=code,
                    label=label,
                    amount=PROVISIONAL,
                    **extra,
                )
        return lines

    def _main_building(self, slug: str) -> Building:
        name = next(b for user, b in people.REQUESTER_BUILDINGS.items() if user.endswith(f".{slug}"))
        return Building.objects.get(organisation=self.ref.orgs[slug], name=name)

    def size_budget(self, slug: str, lines: dict) -> None:
        """Credits such that each line is consumed as a real budget would be at this time of year:
        last year almost fully, this year at its target (one line past its alert threshold)."""
        access = self.access("gestionnaire", slug)
        org = self.ref.orgs[slug]
        targets = {code: ratio for code, _label, _section, _link, ratio in LINES}
        for year in (self.today.year - 1, self.today.year):
            report = budget_report(org.pk, year)
            for status in report.lines:
                ratio = LAST_YEAR_RATIO if year < self.today.year else targets[status.line.code]
                amount = max(Decimal("2000"), Decimal(math.ceil(status.consumed / ratio / 100) * 100))
                line = status.line
                budget_line_save(
                    access=access,
                    line=line,
                    year=line.year,
                    section=line.section,
                    code=line.code,
                    label=line.label,
                    amount=amount,
                    trade=line.trade,
                    building=line.building,
                    is_default=line.is_default,
                )

    # --- Stock -----------------------------------------------------------------------------------

    def stock(self, slug: str) -> None:
        manager, chef = self.access("gestionnaire", slug), self.access("chef", slug)
        code, name = STORES[slug]
        store = store_create(access=manager, code=code, name=name)
        van = store_create(access=manager, code=VAN[0], name=VAN[1]) if slug == people.EPCI else None
        org = self.ref.orgs[slug]
        start = self.moment(STOCK_DAYS)
        restock = self.moment(30, 8, 15)
        until = min(self.now, timezone.now())
        issues = list(
            MaterialLine.objects.filter(item__organisation=org, created_at__gte=start, created_at__lt=until)
            .filter(work_order__team__organisation=org)
            .select_related("item", "work_order__team")
            .order_by("created_at", "pk")
        )
        used_ever = set(
            MaterialLine.objects.filter(item__organisation=org).values_list("item_id", flat=True).distinct()
        )
        need_before, need_after = defaultdict(Decimal), defaultdict(Decimal)
        for line in issues:
            (need_before if line.created_at < restock else need_after)[line.item_id] += line.quantity
        items = list(Item.objects.filter(organisation=org, is_active=True).order_by("reference"))
        events = []  # (moment, order, callable)
        buffers = {}
        for n, item in enumerate(items):
            if item.pk not in used_ever and n % 3 == 2:
                continue  # not every item is kept in store
            buffer = Decimal(self.rng.randint(4, 24))
            buffers[item.pk] = buffer
            if item.pk in used_ever:  # enters at its catalogue cost: its past lines stay at its CUMP
                first_price = second_price = item.unit_cost
            else:
                first_price = (item.unit_cost * Decimal("0.94")).quantize(CENT, ROUND_HALF_UP)
                second_price = (item.unit_cost * Decimal("1.06")).quantize(CENT, ROUND_HALF_UP)
            first = need_before[item.pk] + buffer
            second = need_after[item.pk] + Decimal(self.rng.randint(2, 12))
            events.append((start, 0, self._receipt(manager, store, item, first, first_price, "BL-2401")))
            events.append((restock, 0, self._receipt(manager, store, item, second, second_price, "BL-2417")))
        for line in issues:
            if line.item_id not in buffers:
                continue
            events.append((line.created_at, 1, self._issue(chef, store, line)))
        if van is not None:
            plumbing = [i for i in items if i.reference.startswith("PLB-") and i.pk in buffers][:4]
            for item in plumbing:
                quantity = min(Decimal(3), buffers[item.pk] - 1)
                events.append((self.moment(15, 16), 2, self._transfer(chef, store, van, item, quantity)))
        counted = [i for i in items if i.pk in buffers and not i.reference.startswith("PLB-")][:3]
        events.append((self.moment(7, 17), 3, self._count(manager, store, counted)))
        for moment, _order, action in sorted(events, key=lambda e: (e[0], e[1])):
            action(moment)
        self._thresholds(manager, store)

    def _receipt(self, access, store, item, quantity, price, document):
        def run(moment):
            stock_receive(
                access=access,
                store=store,
                item=item,
                quantity=quantity,
                unit_price=price,
                document_reference=f"{document}-{item.reference}",
                at=moment,
            )

        return run

    def _issue(self, access, store, line):
        def run(moment):
            stock_issue(
                access=access,
                store=store,
                item=line.item,
                quantity=line.quantity,
                work_order=line.work_order,
                material_line_id=line.pk,
                at=moment,
            )

        return run

    def _transfer(self, access, store, van, item, quantity):
        def run(moment):
            stock_transfer(
                access=access,
                from_store=store,
                to_store=van,
                item=item,
                quantity=quantity,
                note="Réassort du fourgon",
                at=moment,
            )

        return run

    def _count(self, access, store, items):
        def run(moment):
            book = dict(StockLevel.objects.filter(store=store, item__in=items).values_list("item_id", "quantity"))
            counted = {item: book[item.pk] + (1 if n == 0 else -1) for n, item in enumerate(items) if item.pk in book}
            stock_count_record(access=access, store=store, counted=counted, note="Inventaire tournant", at=moment)

        return run

    def _thresholds(self, access, store) -> None:
        """Reorder points on a dozen items; four of them are reached (the alerts of the home page)."""
        levels = list(StockLevel.objects.filter(store=store).select_related("item").order_by("item__reference"))
        for n, level in enumerate(levels[::5][:12]):
            threshold = level.quantity + 2 if n < 4 else max(Decimal(1), (level.quantity / 3).to_integral_value())
            stock_threshold_set(access=access, store=store, item=level.item, threshold=threshold)

    # --- Purchasing --------------------------------------------------------------------------------

    def purchasing(self, slug: str, lines: dict) -> None:
        access = self.access("gestionnaire", slug)
        number, title, procedure, lots = CONTRACTS[slug]
        year = self.today.year
        start = self.today - timedelta(days=300)
        contract = contract_create(
            access=access,
            reference=f"{start.year}-{number[5:]}",
            title=title,
            procedure=procedure,
            start_date=start,
            end_date=start.replace(year=start.year + 4) - timedelta(days=1),
        )
        created = []
        for n, (lot_title, contractor_name, trade, maximum, prices) in enumerate(lots, start=1):
            lot = lot_add(
                access=access,
                contract=contract,
                number=n,
                title=lot_title,
                contractor=self.ref.contractors[slug][contractor_name],
                trade=self.ref.trades[trade],
                max_amount_ht=Decimal(maximum),
            )
            bpu = {
                code: price_line_add(access=access, lot=lot, code=code, label=label, unit=unit, unit_price=price)
                for code, label, unit, price in prices
            }
            created.append((lot, bpu))
        first_lot, first_bpu = created[0]
        codes = list(first_bpu)

        # 1. The open work order given to the lot's company: engaged, half invoiced (its cost grows).
        work_order = (
            WorkOrder.objects.filter(
                organisation=self.ref.orgs[slug], contractor=first_lot.contractor, status__in=WorkOrder.OPEN_STATUSES
            )
            .order_by("created_at")
            .first()
        )
        if work_order is not None:
            order = self._order(
                access,
                f"{work_order.title}",
                first_lot,
                first_bpu,
                [(codes[0], "6"), (codes[1], "2")],
                work_order=work_order,
            )
            purchase_order_commit(access=access, order=order)
            half = (order.total_ht / 2).quantize(CENT, ROUND_HALF_UP)
            self._invoice(access, order, f"FA-{year}-{self.rng.randint(100, 999)}", half, days_ago=3)

        # 2. The yearly preventive visits: engaged on the equipment line, service done, fully invoiced.
        yearly = self._order(
            access,
            "Visites préventives du semestre",
            first_lot,
            first_bpu,
            [(codes[0], "12"), (codes[-1], "4")],
            budget_line=lines[(year, "011-6156")],
        )
        purchase_order_commit(access=access, order=yearly)
        purchase_order_receive(access=access, order=yearly)
        first_half = (yearly.total_ht * Decimal("0.6")).quantize(CENT, ROUND_HALF_UP)
        self._invoice(access, yearly, f"FA-{year}-{self.rng.randint(100, 999)}", first_half, days_ago=40)
        self._invoice(
            access, yearly, f"FA-{year}-{self.rng.randint(1000, 1999)}", yearly.total_ht - first_half, days_ago=12
        )

        # 3. A second lot's order, engaged and waiting for the work.
        lot, bpu = created[-1]
        pending = self._order(
            access,
            f"{lot.title} : interventions du trimestre",
            lot,
            bpu,
            [(code, str(self.rng.randint(2, 8))) for code in list(bpu)[:2]],
            budget_line=lines[(year, "011-615221")],
        )
        purchase_order_commit(access=access, order=pending)

        # 4. A draft and a cancelled order.
        self._order(access, "Devis en préparation", first_lot, first_bpu, [(codes[1], "3")])
        cancelled = self._order(access, "Commande passée en double", first_lot, first_bpu, [(codes[0], "1")])
        purchase_order_cancel(access=access, order=cancelled, reason="Doublon de la commande précédente")

        # 5. Capital works outside the contract, engaged on the investment section.
        works_title, works_label = CAPITAL_WORKS[lots[-1][2]]
        works = purchase_order_create(
            access=access,
            title=works_title,
            contractor=created[-1][0].contractor,
            budget_line=lines[(year, "21-21312")],
        )
        purchase_order_line_add(
            access=access,
            order=works,
            label=works_label,
            unit="u",
            unit_price=str(15800 + 50 * self.rng.randint(0, 80)),
            quantity="1",
        )
        purchase_order_line_add(
            access=access,
            order=works,
            label="Dépose et évacuation de l'ancien matériel",
            unit="forfait",
            unit_price="1250.00",
            quantity="1",
        )
        purchase_order_commit(access=access, order=works)
        purchase_order_receive(access=access, order=works)

    def _order(self, access, title, lot, bpu, rows, work_order=None, budget_line=None):
        order = purchase_order_create(
            access=access, title=title, lot=lot, work_order=work_order, budget_line=budget_line
        )
        for code, quantity in rows:
            purchase_order_line_add(access=access, order=order, price_line=bpu[code], quantity=quantity)
        return order

    def _invoice(self, access, order, number, amount_ht, *, days_ago: int):
        ttc = (amount_ht * (1 + order.vat_rate / 100)).quantize(CENT, ROUND_HALF_UP)
        invoice_record(
            access=access,
            order=order,
            number=number,
            date=self.today - timedelta(days=days_ago),
            amount_ht=amount_ht,
            amount_ttc=ttc,
        )
