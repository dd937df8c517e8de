"""The layers of DESIGN §4 hold (import-linter, contracts in pyproject.toml), and each contract
catches the break it is there for: a test adds the forbidden import to the real import graph
and shows the contract broken, so a contract that silently stopped checking fails here."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration  # configures import-linter as the CLI does
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
TYPES = {c.type_name: c for c in (AcyclicSiblingsContract, ForbiddenContract, IndependenceContract, LayersContract)}


def test_lint_imports_keeps_every_contract():
    """What `make lint` runs, as it runs it."""
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    out = subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PYPROJECT), "--no-cache", "--no-logo"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in out.stdout


@pytest.fixture(scope="module")
def configuration():
    return read_configuration(str(PYPROJECT))


@pytest.fixture(scope="module")
def clean_graph(configuration):
    session = configuration["session_options"]
    return grimp.build_graph(
        *session["root_packages"], cache_dir=None,
        include_external_packages=session["include_external_packages"] == "True",
        exclude_type_checking_imports=session["exclude_type_checking_imports"] == "True",
    )


@pytest.fixture
def graph(clean_graph):
    return copy.deepcopy(clean_graph)


def _kept(configuration, graph, contract_id: str) -> bool:
    options = next(c for c in configuration["contracts_options"] if c.get("id") == contract_id)
    contract = TYPES[options["type"]](
        name=options["name"], session_options=configuration["session_options"], contract_options=options,
    )
    # A contract removes its ignored imports from the graph it checks: each gets its own copy.
    return contract.check(copy.deepcopy(graph), verbose=False).kept


def _add(graph, importer: str, imported: str) -> None:
    for module in (importer, imported):
        if module not in graph.modules:
            graph.add_module(module)
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")


CONTRACTS = ["layers", "domain-independent", "no-cycles", "engine-pure", "offline-no-django"]


@pytest.mark.parametrize("contract_id", CONTRACTS)
def test_each_contract_is_kept_on_the_code_as_it_is(configuration, graph, contract_id):
    assert _kept(configuration, graph, contract_id)


@pytest.mark.parametrize("importer, imported, broken", [
    # the engine reaches for Django (and so would the offline scorer, which imports it), YAML
    # or pandas
    ("duibiao.engine.rank", "django", {"engine-pure", "offline-no-django"}),
    ("duibiao.engine.normalise", "yaml", {"engine-pure"}),
    ("duibiao.engine.weights", "pandas", {"engine-pure"}),
    # the engine, or the scheme loader, reaches up into the apps
    # (projects counts working days with the engine: through it, projects would reach assessment)
    ("duibiao.engine.pipeline", "duibiao.assessment.models",
     {"layers", "no-cycles", "engine-pure", "offline-no-django", "domain-independent"}),
    ("duibiao.schemes.loader", "duibiao.org.models", {"layers", "offline-no-django"}),
    ("duibiao.scoring_cli", "django", {"offline-no-django"}),
    # `duibiao disposal-rates` (and the pure rates and deadlines the pages share) keep off Django
    ("duibiao.inspections.rates", "django", {"offline-no-django"}),
    ("duibiao.inspections.deadlines", "django", {"offline-no-django"}),
    # assessment reaches into a domain app beside it, instead of reading the source registry
    # (and closes a circle: projects.apps registers its sources with assessment's registry)
    ("duibiao.assessment.services.runs", "duibiao.projects.apps", {"layers", "domain-independent", "no-cycles"}),
    ("duibiao.inspections.apps", "duibiao.assessment.models", {"layers", "domain-independent"}),
    # the one way allowed up is a domain app's `sources` module to assessment's registry: the
    # same module reaching further, or another module to the registry, is refused
    ("duibiao.projects.sources", "duibiao.assessment.models", {"layers", "domain-independent"}),
    ("duibiao.projects.selectors.ledger", "duibiao.assessment.sources", {"layers", "domain-independent"}),
    # a domain app reaches up into the consumers of its results (which import it: a cycle)
    ("duibiao.assessment.selectors.progress", "duibiao.documents.excel.workbook", {"layers", "no-cycles"}),
    ("duibiao.assessment.selectors.results", "duibiao.cadres.selectors", {"layers", "no-cycles"}),
    # cadres reaches up into documents, which sits above it (documents writes cadres' lists)
    ("duibiao.cadres.selectors", "duibiao.documents.excel.workbook", {"layers", "no-cycles"}),
    # the core reaches up, or goes round in a circle
    ("duibiao.audit.services", "duibiao.accounts.gate", {"layers", "no-cycles"}),
    ("duibiao.org.selectors", "duibiao.accounts.gate", {"layers", "no-cycles"}),
    # (every domain app asks the gate: through it, one would reach another)
    ("duibiao.accounts.gate", "duibiao.assessment.models", {"layers", "no-cycles", "domain-independent"}),
    # the helpers reach into the core
    ("duibiao.files.uploads", "duibiao.audit.services", {"layers"}),
    # an entry point is imported by what it serves
    ("duibiao.assessment.views.runs", "duibiao.web.navigation", {"layers", "no-cycles"}),
])
def test_each_forbidden_import_breaks_its_contract(configuration, graph, importer, imported, broken):
    _add(graph, importer, imported)
    assert {c for c in CONTRACTS if not _kept(configuration, graph, c)} == broken


def test_a_new_package_must_be_given_its_layer(configuration, graph):
    """`exhaustive`: an app nobody placed in the layers fails until it is placed."""
    graph.add_module("duibiao.newapp")
    _add(graph, "duibiao.newapp.models", "duibiao.org.models")
    assert not _kept(configuration, graph, "layers")


def test_the_engine_imports_numpy_and_the_standard_library_only(clean_graph):
    """The forbidden contract names packages; this names what is allowed, so a dependency
    added to pyproject.toml later cannot slip into the engine unnamed."""
    external = {
        imported.split(".")[0]
        for module in clean_graph.find_descendants("duibiao.engine") | {"duibiao.engine"}
        for imported in clean_graph.find_modules_directly_imported_by(module)
        if not imported.startswith("duibiao")
    }
    assert external, "the graph holds no external imports: include_external_packages is off"
    assert external - set(sys.stdlib_module_names) == {"numpy"}
