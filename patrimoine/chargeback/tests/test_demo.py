"""The demo comes with the statements of the last four quarters (Aubigny's last one left to issue),
and they reconcile with the shared team's cost to the cent."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from patrimoine.chargeback.models import Statement
from patrimoine.chargeback.selectors import previous_quarter, reconciliation, statement_draft
from patrimoine.demo.seed import seed_demo
from patrimoine.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_statements_are_issued_once_and_reconcile():
    seed_demo()
    today = timezone.localdate()
    with scopes_disabled():
        epci = Organisation.objects.get(slug="epci")
        aubigny = Organisation.objects.get(slug="aubigny")
        statements = list(Statement.objects.filter(organisation=epci).order_by("reference"))
        assert len(statements) == 11  # 4 quarters × 3 communes, but Aubigny's last
        assert all(s.reference.startswith("RF-") for s in statements)
        assert len({s.reference for s in statements}) == 11
        last = previous_quarter(today)
        assert not Statement.objects.filter(commune=aubigny, period_start=last.start).exists()
        assert statement_draft(epci, aubigny, last).lines  # ready for the demo of « Émettre »
        seed_demo()
        assert Statement.objects.filter(organisation=epci).count() == 11
        result = reconciliation(epci, last)
        assert result.gap == 0 and result.unbilled == statement_draft(epci, aubigny, last).subtotal
