"""A rich commune for the reversibility tests: every kind of row, files, and links to the EPCI.

`rich_commune` gives a commune assets, requests (one a duplicate of another), work orders worked by
its own team and by the EPCI's shared team, time, materials (its own article and the EPCI's),
external costs, stock with a movement, purchasing and budget, maintenance with a finding, a kept
offline entry, an intervention report with a signature, a photo and a PDF, the audit trail and
reference counters. Every text carries `marker`, so a test can tell whose data an archive holds.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.core.services import audit_record
from patrimoine.costs.models import ExternalCost, MaterialLine, TimeEntry
from patrimoine.costs.services import work_order_recompute_costs
from patrimoine.documents.models import Document
from patrimoine.field.tests.matrix import venansault_conflict
from patrimoine.maintenance.tests.matrix import venansault_maintenance
from patrimoine.organisations.models import Membership, Organisation
from patrimoine.purchasing.tests.matrix import venansault_purchasing
from patrimoine.stock.models import StockLevel, StockMovement, Store
from patrimoine.workorders.models import ChecklistItem, InterventionReport, WorkOrderTransition

Role = Membership.Role
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Agglomeration:
    epci: Organisation
    communes: dict
    users: dict
    objects: dict


def agglomeration(f) -> Agglomeration:
    """An EPCI with a shared team and a catalogue, serving two rich communes (markers Alpha / Zyxwvu)."""
    epci, (aubigny, venansault) = f.epci_with_communes("Aubigny", "Venansault")
    users = {
        "admin.epci": f.user("admin.epci", role=Role.ADMIN, organisation=epci),
        "chef.epci": f.user("chef.epci", role=Role.TEAM_LEAD, organisation=epci),
        "technicien.epci": f.user("technicien.epci", role=Role.TECHNICIAN, organisation=epci),
    }
    shared = f.team(
        epci,
        "Régie mutualisée",
        lead=users["chef.epci"],
        members=[users["technicien.epci"]],
        serves=[aubigny, venansault],
        trade_obj=f.trade(),
    )
    with scopes_disabled():
        shared.trades.add(f.trade())
    epci_item = f.item(epci, "Robinet temporisé", reference="PLB-TEMPO")
    objects = {"shared_team": shared, "epci_item": epci_item}
    communes = {}
    for org, marker in ((aubigny, "Alpha"), (venansault, "Zyxwvu")):
        communes[marker] = rich_commune(f, org, marker, shared, epci_item, users)
    return Agglomeration(epci=epci, communes=communes, users=users, objects=objects)


@scopes_disabled()
def rich_commune(f, org, marker: str, shared_team, epci_item, users: dict) -> dict:
    slug = org.slug
    admin = f.user(f"admin.{slug}", role=Role.ADMIN, organisation=org, first_name=f"Admin {marker}")
    chef = f.user(f"chef.{slug}", role=Role.TEAM_LEAD, organisation=org)
    tech = f.user(f"technicien.{slug}", role=Role.TECHNICIAN, organisation=org)
    requester = f.user(f"demandeur.{slug}", role=Role.REQUESTER, organisation=org)
    reader = f.user(f"lecteur.{slug}", role=Role.READER, organisation=org)
    team = f.team(org, f"Équipe {marker}", lead=chef, members=[tech], trade_obj=f.trade("electricite"))
    team.trades.add(f.trade("electricite"))
    contractor = f.contractor(org, f"Entreprise {marker}")
    contractor.trades.add(f.trade())
    site = f.site(org, f"Site {marker}")
    building = f.building(org, f"Mairie {marker}", site_obj=site, surface_m2=Decimal("420.50"))
    level = f.level(building, f"Étage {marker}")
    space = f.space(level, f"Salle {marker}")
    equipment = f.equipment(building, f"Chaudière {marker}")
    item = f.item(org, f"Joint {marker}", reference=f"J-{marker}")
    f.labour_rate(org, "40.00")
    order = f.work_order(
        org, title=f"Réparer {marker}", building_obj=building, team_obj=team, contractor=contractor, status="termine"
    )
    f.name_technicians(order, tech)
    shared_order = f.work_order(org, title=f"Chauffage {marker}", building_obj=building, team_obj=shared_team)
    f.name_technicians(shared_order, users["technicien.epci"])
    request = f.work_request(org, requested_by=requester, building_obj=building, description=f"Fuite {marker}")
    duplicate = f.work_request(org, requested_by=requester, building_obj=building, description=f"Encore {marker}")
    type(request).objects.filter(pk=request.pk).update(work_order=order, status="acceptee")
    type(duplicate).objects.filter(pk=duplicate.pk).update(duplicate_of=request, status="fusionnee")
    WorkOrderTransition.objects.create(organisation=org, work_order=order, to_status="a_planifier", actor=chef)
    ChecklistItem.objects.create(organisation=org, work_order=order, label=f"Point {marker}", done=True, done_by=tech)
    TimeEntry.objects.create(
        organisation=org,
        work_order=order,
        technician=tech,
        date="2026-01-05",
        hours=Decimal("2"),
        hourly_rate=Decimal("40"),
        amount=Decimal("80.00"),
        client_uuid="6f1c2d4e-0000-4000-8000-00000000000" + ("1" if marker == "Alpha" else "2"),
    )
    TimeEntry.objects.create(
        organisation=org,
        work_order=shared_order,
        technician=users["technicien.epci"],
        date="2026-01-06",
        hours=Decimal("1.75"),
        hourly_rate=Decimal("42"),
        amount=Decimal("73.50"),
    )
    own_line = MaterialLine.objects.create(
        organisation=org,
        work_order=order,
        item=item,
        label=item.label,
        quantity=Decimal("1"),
        unit_cost=Decimal("0.85"),
        amount=Decimal("0.85"),
    )
    MaterialLine.objects.create(
        organisation=org,
        work_order=shared_order,
        item=epci_item,
        label=epci_item.label,
        quantity=Decimal("2"),
        unit_cost=Decimal("48.60"),
        amount=Decimal("97.20"),
    )
    ExternalCost.objects.create(
        organisation=org, work_order=order, contractor=contractor, description=f"Presta {marker}", amount=Decimal("10")
    )
    work_order_recompute_costs(work_order=order)
    work_order_recompute_costs(work_order=shared_order)
    store = Store.objects.create(organisation=org, code="MAG", name=f"Magasin {marker}", site=site)
    StockLevel.objects.create(organisation=org, store=store, item=item, quantity=Decimal("4"))
    StockMovement.objects.create(
        organisation=org,
        kind="sortie",
        store=store,
        item=item,
        quantity=Decimal("-1"),
        unit_cost=Decimal("0.85"),
        amount=Decimal("-0.85"),
        quantity_after=Decimal("4"),
        cump_after=Decimal("0.85"),
        work_order=order,
        material_line_id=own_line.pk,
        note=f"Sortie {marker}",
    )
    report = InterventionReport.objects.create(
        organisation=org, work_order=order, notes=f"Compte rendu {marker}", signed_by_name=f"Signataire {marker}"
    )
    report.signature.save("signature.png", ContentFile(PNG), save=True)
    pdf = b"%PDF-1.4 " + marker.encode()
    documents = [
        _document(org, building, Document.Kind.PHOTO, f"Façade {marker}", "facade.png", "image/png", PNG, admin),
        _document(org, order, Document.Kind.DOCUMENT, f"Devis {marker}", "devis.pdf", "application/pdf", pdf, admin),
    ]
    audit_record(actor=admin, action="workorders.create", target=order, message=f"Créé {marker}")
    objects = {"venansault": org, "order": order, "building": building, "v_chef": chef}
    objects.update(venansault_maintenance(objects, marker))
    objects.update(venansault_purchasing(objects, marker))
    objects["conflict"] = venansault_conflict(objects, marker)
    objects.update(
        org=org,
        site=site,
        level=level,
        space=space,
        equipment=equipment,
        shared_order=shared_order,
        request=request,
        duplicate=duplicate,
        documents=documents,
        store=store,
        admin=admin,
        reader=reader,
        marker=marker,
        report=report,
    )
    return objects


def _document(org, target, kind, title, name, mime, content, user) -> Document:
    document = Document(
        organisation=org,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        kind=kind,
        title=title,
        original_name=name,
        mime_type=mime,
        size=len(content),
        uploaded_by=user,
        created_at=timezone.now(),
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document
