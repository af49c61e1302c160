"""Load test of a realistic 8 a.m. page mix, with Locust: `make bench-load` (see patrimoine/scale/load.py).

The users are people of the generated dataset (`generate_dataset`), signed in beforehand through the
real sign-in form by the runner, which writes their session cookies and the ids they may open into
the plan file named by LOAD_PLAN. Each Locust user plays one person:

- team leads: their home, the work-order list (plain, filtered, searched), an order, a building;
- technicians: their day (the offline app's data), one of their orders;
- a manager: the asset search and a building's page;
- an integration: the REST API's work-order list (personal token);
- a citizen-reporting app: the Open311 list of requests (public).

No request writes anything. Request names are the page names of bench/results/load-<size>.json.
"""

import json
import os
import random

from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "0"))  # think time between pages, seconds


class Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(0, WAIT_MAX)

    def on_start(self):
        self.me = random.choice(PLAN["people"][self.role])  # noqa: S311 — load mix, not secrets
        self.headers = {"Cookie": self.me["cookie"], "Accept-Encoding": "gzip"}

    def page(self, path: str, name: str):
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/compte/connexion/" in (response.url or ""):
                response.failure("signed out")

    def order(self) -> str:
        return random.choice(self.me["orders"])  # noqa: S311

    def building(self) -> str:
        return random.choice(self.me["buildings"])  # noqa: S311


class TeamLead(Person):
    role = "chef"
    weight = 6

    @task(3)
    def home(self):
        self.page("/", "accueil du chef d'équipe")

    @task(4)
    def orders(self):
        self.page("/bons/", "bons de travail (liste)")

    @task(3)
    def open_orders(self):
        self.page("/bons/?statut=ouverts&tri=-priorite", "bons de travail ouverts, par priorité")

    @task(2)
    def search(self):
        word = random.choice(["fuite", "porte", "radiateur", "serrure"])  # noqa: S311
        self.page(f"/bons/?q={word}", "bons de travail : recherche")

    @task(4)
    def detail(self):
        self.page(f"/bons/{self.order()}/", "bon de travail (détail)")

    @task(2)
    def building_page(self):
        self.page(f"/patrimoine/batiments/{self.building()}/", "bâtiment (fiche)")


class Technician(Person):
    role = "technicien"
    weight = 5

    @task(3)
    def day(self):
        self.page("/terrain/api/donnees/", "journée du technicien (données hors ligne)")

    @task(2)
    def detail(self):
        self.page(f"/bons/{self.order()}/", "bon de travail (détail)")


class Manager(Person):
    role = "gestionnaire"
    weight = 2

    @task(2)
    def search(self):
        word = random.choice(["ecole", "gymnase", "mairie", "creche"])  # noqa: S311
        self.page(f"/patrimoine/?q={word}", "patrimoine : recherche")

    @task(3)
    def building_page(self):
        self.page(f"/patrimoine/batiments/{self.building()}/", "bâtiment (fiche)")


class Integration(FastHttpUser):
    """A business application reading the REST API with a personal token."""

    weight = 1
    wait_time = between(0, WAIT_MAX)

    @task
    def work_orders(self):
        headers = {"Authorization": f"Bearer {PLAN['api_token']}", "Accept-Encoding": "gzip"}
        with self.client.get(
            "/api/v1/work-orders", headers=headers, name="API v1 : bons de travail (liste)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class CitizenApp(FastHttpUser):
    """A citizen-reporting app polling the Open311 list of requests (public, no session)."""

    weight = 1
    wait_time = between(0, WAIT_MAX)

    @task
    def requests(self):
        path = f"/open311/v2/requests.json?jurisdiction_id={PLAN['open311_jurisdiction']}"
        with self.client.get(path, name="Open311 : demandes (liste)", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
