"""Every table has a place in the Citus distribution plan (patrimoine/scale/distribution.py), and fits
it: a new model the plan does not place, a tenant model without its organisation key, a reference
table pointing at a distributed one, or a unique constraint Citus could not enforce fails here."""

from django.apps import apps
from django.db import models

from patrimoine.core.models import TenantModel
from patrimoine.organisations.models import Organisation
from patrimoine.scale import distribution as plan


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed or m._meta.auto_created]


def _label(model) -> str:
    return model._meta.label


def _is_distributed(model) -> bool:
    return plan.placement(_label(model)) in ("distributed", "missing-key")


def test_every_table_is_placed_by_the_plan():
    unplaced = [
        _label(m)
        for m in _models()
        if not issubclass(m, TenantModel)
        and plan.placement(_label(m)) == "distributed"
        and _label(m) not in plan.DISTRIBUTED_NON_TENANT
    ]
    assert unplaced == [], (
        "Ces tables ne sont ni des TenantModel ni placées dans patrimoine/scale/distribution.py "
        f"(référence, coordinateur, distribuée par organisation) : {unplaced}"
    )
    labels = {_label(m) for m in _models()}
    named = (
        set(plan.REFERENCE_TABLES)
        | set(plan.COORDINATOR_TABLES)
        | set(plan.DISTRIBUTED_NON_TENANT)
        | set(plan.MISSING_ORGANISATION_KEY)
    )
    assert named - labels == set(), f"le plan nomme des tables qui n'existent plus : {sorted(named - labels)}"


def test_every_distributed_table_carries_the_organisation_key():
    for model in _models():
        label = _label(model)
        if not _is_distributed(model) or label in plan.MISSING_ORGANISATION_KEY:
            continue
        fields = {f.column: f for f in model._meta.concrete_fields}
        assert plan.DISTRIBUTION_COLUMN in fields, f"{label} n'a pas de colonne organisation_id"
        field = fields[plan.DISTRIBUTION_COLUMN]
        assert field.is_relation and field.related_model is Organisation, f"{label}.organisation ≠ Organisation"
        if issubclass(model, TenantModel):
            assert not field.null, f"{label}.organisation peut être vide"


def test_the_known_gaps_really_lack_the_key():
    """When a gap is fixed, it must leave MISSING_ORGANISATION_KEY (and the documentation)."""
    for label in plan.MISSING_ORGANISATION_KEY:
        model = apps.get_model(label)
        assert plan.DISTRIBUTION_COLUMN not in {f.column for f in model._meta.concrete_fields}, label


def test_reference_and_coordinator_tables_never_point_at_distributed_ones():
    """Citus refuses a foreign key from a reference (or local) table to a distributed one."""
    wrong = []
    for model in _models():
        if _is_distributed(model):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None and _is_distributed(field.related_model):
                wrong.append(f"{_label(model)}.{field.name} → {_label(field.related_model)}")
    assert wrong == [], wrong


def test_distributed_tables_never_point_at_coordinator_tables():
    wrong = [
        f"{_label(model)}.{field.name}"
        for model in _models()
        if _is_distributed(model)
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is not None
        and plan.placement(_label(field.related_model)) == "coordinator"
    ]
    assert wrong == [], wrong


def _uniques(model):
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            yield field.name, [field]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            yield constraint.name, [model._meta.get_field(name) for name in constraint.fields]
    for together in model._meta.unique_together:
        yield "+".join(together), [model._meta.get_field(name) for name in together]


def test_unique_constraints_of_distributed_tables_can_be_enforced_per_organisation():
    """A unique constraint holds on Citus if it includes the distribution column, or a foreign key to
    a co-located row (the migration to Citus then adds organisation_id to it: same meaning)."""
    global_ones = []
    for model in _models():
        if not _is_distributed(model) or not issubclass(model, TenantModel):
            continue
        for name, fields in _uniques(model):
            if any(f.column == plan.DISTRIBUTION_COLUMN for f in fields):
                continue
            if any(f.is_relation and _is_distributed(f.related_model) for f in fields):
                continue
            global_ones.append(f"{_label(model)}.{name}")
    assert sorted(global_ones) == sorted(plan.GLOBAL_UNIQUES), (
        "Contraintes d'unicité globales à décrire dans GLOBAL_UNIQUES (et docs/scale-out.md) : "
        f"{sorted(set(global_ones) ^ set(plan.GLOBAL_UNIQUES))}"
    )


def test_cross_organisation_references_are_foreign_keys_between_distributed_tables():
    for dotted in plan.CROSS_ORGANISATION_REFERENCES:
        app_model, field_name = dotted.rsplit(".", 1)
        field = apps.get_model(app_model)._meta.get_field(field_name)
        assert _is_distributed(field.model) and _is_distributed(field.related_model), dotted
