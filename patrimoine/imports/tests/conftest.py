import pytest

from patrimoine.organisations.models import Membership


@pytest.fixture
def commune(f):
    return f.organisation("Venansault")


@pytest.fixture
def manager(f, commune):
    return f.user("gestionnaire", role=Membership.Role.MANAGER, organisation=commune)
