"""Work orders (bons de travail), their guarded workflow, checklist and intervention report."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patrimoine.core.models import TenantModel


class WorkOrder(TenantModel):
    class Status(models.TextChoices):
        TO_PLAN = "a_planifier", _("À planifier")
        PLANNED = "planifie", _("Planifié")
        IN_PROGRESS = "en_cours", _("En cours")
        SUSPENDED = "suspendu", _("Suspendu")
        DONE = "termine", _("Terminé")
        VALIDATED = "valide", _("Validé (clos)")
        CANCELLED = "annule", _("Annulé")

    class Kind(models.TextChoices):
        CORRECTIVE = "curatif", _("Curatif (dépannage)")
        PREVENTIVE = "preventif", _("Préventif")

    class Priority(models.TextChoices):
        LOW = "1_basse", _("Basse")
        NORMAL = "2_normale", _("Normale")
        HIGH = "3_haute", _("Haute")
        URGENT = "4_urgente", _("Urgente")

    class SuspensionReason(models.TextChoices):
        PARTS = "pieces", _("En attente de pièces")
        ACCESS = "acces", _("En attente d'accès")
        CONTRACTOR = "prestataire", _("En attente du prestataire")

    reference = models.CharField(_("numéro"), max_length=20, editable=False)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.CORRECTIVE)
    trade = models.ForeignKey("organisations.Trade", on_delete=models.PROTECT, verbose_name=_("corps de métier"))
    priority = models.CharField(_("priorité"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.TO_PLAN, db_index=True)
    suspension_reason = models.CharField(
        _("motif de suspension"), max_length=20, choices=SuspensionReason.choices, blank=True
    )
    site = models.ForeignKey(
        "assets.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("site"),
    )
    building = models.ForeignKey(
        "assets.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("bâtiment"),
    )
    space = models.ForeignKey(
        "assets.Space",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("local"),
    )
    equipment = models.ForeignKey(
        "assets.Equipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("équipement"),
    )
    location_text = models.CharField(_("lieu précis ou adresse"), max_length=250, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    planned_start = models.DateTimeField(_("début prévu"), null=True, blank=True)
    planned_end = models.DateTimeField(_("fin prévue"), null=True, blank=True)
    team = models.ForeignKey(
        "organisations.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("équipe"),
    )
    technicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="WorkOrderTechnician",
        blank=True,
        related_name="assigned_work_orders",
        verbose_name=_("techniciens"),
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("prestataire"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validé par"),
    )
    # Cost totals, recomputed with aggregates by the costs services after every entry change and
    # frozen at validation, so rollups per building, commune or trade are a single SUM.
    labour_cost = models.DecimalField(_("main-d'œuvre"), max_digits=12, decimal_places=2, default=Decimal("0"))
    material_cost = models.DecimalField(_("matériel"), max_digits=12, decimal_places=2, default=Decimal("0"))
    external_cost = models.DecimalField(
        _("prestations externes"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    total_cost = models.DecimalField(_("coût total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    version = models.PositiveIntegerField(default=1, editable=False)

    OPEN_STATUSES = (Status.TO_PLAN, Status.PLANNED, Status.IN_PROGRESS, Status.SUSPENDED)

    class Meta:
        verbose_name = _("bon de travail")
        verbose_name_plural = _("bons de travail")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="uniq_work_order_reference"),
            # total = labour + material + external. Within a tenth of a cent: SQLite stores decimals
            # as binary floats, where 67.2 + 14.1 + 15.1 is not exactly 96.4 (PostgreSQL is exact).
            models.CheckConstraint(
                condition=models.Q(
                    total_cost__gte=models.F("labour_cost")
                    + models.F("material_cost")
                    + models.F("external_cost")
                    - Decimal("0.001"),
                    total_cost__lte=models.F("labour_cost")
                    + models.F("material_cost")
                    + models.F("external_cost")
                    + Decimal("0.001"),
                ),
                name="work_order_total_is_sum",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="suspendu") | ~models.Q(suspension_reason=""),
                name="work_order_suspension_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["building", "validated_at"]),
            # Costs and dashboards: an organisation's validated orders of a period.
            models.Index(
                fields=["organisation", "validated_at"],
                condition=models.Q(status="valide"),
                name="workorder_validated_by_org",
            ),
            # The list's sorts, read from the cursor on (keyset pagination, core/pagination.py): all
            # orders by date, and the open ones (the default tab) by date, priority or due date.
            models.Index(fields=["organisation", "-created_at", "-id"], name="workorder_list_created"),
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                condition=models.Q(status__in=["a_planifier", "planifie", "en_cours", "suspendu"]),
                name="workorder_open_created",
            ),
            models.Index(
                fields=["organisation", "-priority", "due_date", "-created_at", "-id"],
                condition=models.Q(status__in=["a_planifier", "planifie", "en_cours", "suspendu"]),
                name="workorder_open_priority",
            ),
            models.Index(
                fields=["organisation", "due_date", "-created_at", "-id"],
                condition=models.Q(status__in=["a_planifier", "planifie", "en_cours", "suspendu"]),
                name="workorder_open_due",
            ),
            # A team's week on the planning board (orders starting this week / running into it).
            models.Index(fields=["team", "planned_start"], name="workorder_team_planned_start"),
            models.Index(fields=["team", "planned_end"], name="workorder_team_planned_end"),
            # One trade's costs per building (the cost dashboard filtered by trade).
            models.Index(
                fields=["organisation", "trade", "validated_at"],
                condition=models.Q(status="valide"),
                name="workorder_validated_by_trade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class NamedTechnicianMissingOrganisation(Exception):
    """A technician was named on an order without the order's organisation (see WorkOrderTechnician)."""


class WorkOrderTechnicianQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """`order.technicians.add()/set()` write through here: refuse rows without their organisation."""
        objs = list(objs)
        for obj in objs:
            obj.require_organisation()
        return super().bulk_create(objs, *args, **kwargs)


class WorkOrderTechnician(models.Model):
    """A technician named on a work order (`WorkOrder.technicians`), with the order's organisation.

    The table is Django's former automatic many-to-many table, kept with its rows and its bigint
    key (migration 0007); `organisation` (added by 0008, filled for the rows already there by 0009)
    is the order's, so that the rows sit with their order when the database is distributed by
    organisation (scale/distribution.py).

    Not a `TenantModel`: no UUID key nor timestamps, and no scoped manager, because
    `order.technicians.add()/set()` and the field app's `Named` subqueries run with or without a
    scope; reads go through the orders, which are scoped. Every write passes the organisation with
    `through_defaults=WorkOrderTechnician.defaults_for(order)`: the manager refuses a row without it.

    `organisation` stays nullable for one release (expand / contract, deploy/migration_rules.py):
    the previous release, still serving during a rolling upgrade, inserts rows without it, and a
    PostgreSQL trigger fills them from the order (0008). Contract step, in the next release: drop
    the trigger, fill any row still empty from its order, make the column NOT NULL (a migration
    listed in CONTRACT_MIGRATIONS), then this manager's check can go.
    """

    workorder = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("collectivité"),
    )

    objects = WorkOrderTechnicianQuerySet.as_manager()

    class Meta:
        db_table = "workorders_workorder_technicians"
        base_manager_name = "objects"  # bulk writes of the seed and of imports are checked too
        verbose_name = _("technicien nommé")
        verbose_name_plural = _("techniciens nommés")
        # The automatic table's constraint, kept as it is in the database (same name).
        unique_together = [("workorder", "user")]
        # A technician's orders by an index-only scan (the technician's day: ten years of them).
        indexes = [models.Index(fields=["user", "workorder"], name="named_technician_user_order")]

    def __str__(self) -> str:
        return f"{self.workorder_id} — {self.user_id}"

    def save(self, *args, **kwargs):
        self.require_organisation()
        super().save(*args, **kwargs)

    @staticmethod
    def defaults_for(work_order: WorkOrder) -> dict:
        """The `through_defaults` of a write of technicians on `work_order`: its organisation."""
        return {"organisation_id": work_order.organisation_id}

    def require_organisation(self) -> None:
        if self.organisation_id is None:
            raise NamedTechnicianMissingOrganisation(
                f"Technician {self.user_id} named on order {self.workorder_id} without the order's organisation: "
                "pass through_defaults=WorkOrderTechnician.defaults_for(order)."
            )


class WorkOrderTransition(TenantModel):
    """Every status change: who, when, from, to and why."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("de"), max_length=20, choices=WorkOrder.Status.choices, blank=True)
    to_status = models.CharField(_("vers"), max_length=20, choices=WorkOrder.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        ordering = ["at"]


class ChecklistItem(TenantModel):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="checklist")
    label = models.CharField(_("point à vérifier"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    done = models.BooleanField(_("fait"), default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("point de contrôle")
        verbose_name_plural = _("points de contrôle")
        ordering = ["position", "created_at"]


class InterventionReport(TenantModel):
    """The technician's compte rendu: what was done, and who on site signed for it."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="report")
    notes = models.TextField(_("compte rendu"), blank=True)
    signed_by_name = models.CharField(_("signé par"), max_length=150, blank=True)
    signature = models.ImageField(_("signature"), upload_to="signatures/%Y/%m/", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("compte rendu d'intervention")
        verbose_name_plural = _("comptes rendus d'intervention")
