"""docs/ stays true to the code: every command with its roles, every event, every clause the
code names has its page entry; nothing cites a design document outside the repository."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate

import domain
from application.commands.catalogue import commands
from domain.service_levels import CLAUSES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _domain_modules() -> list[object]:
    return [
        importlib.import_module(f"domain.{m.name}") for m in pkgutil.iter_modules(domain.__path__)
    ]


def test_the_roles_page_lists_every_command_with_exactly_its_roles() -> None:
    table = _page("roles.md").partition("## Commands")[2].partition("## What is not")[0]
    rows = {
        m.group(1): {r.strip() for r in m.group(2).split(",")}
        for m in re.finditer(r"^\| `([a-z-]+)` \|.*\| ([a-z, ]+) \|$", table, re.M)
    }
    declared = {c.noun: {r.value for r in c.roles} for c in commands()}
    assert rows == declared


def test_the_event_page_lists_every_event_of_the_domain() -> None:
    page = _page("events.md")
    events = {
        cls.__qualname__
        for module in _domain_modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__  # type: ignore[attr-defined]
        and issubclass(cls, Aggregate.Event)
        and not any(
            other is not cls and issubclass(other, cls)
            for _, other in inspect.getmembers(module, inspect.isclass)
        )
    }
    assert len(events) > 50
    missing = sorted(e for e in events if f"`{e}`" not in page)
    assert not missing, f"not in docs/events.md: {missing}"


def _clauses_named_in_domain() -> set[str]:
    """The clause of every refusal, consent check and sharing answer written in domain/."""
    named: set[str] = set()
    for path in sorted((ROOT / "domain").glob("*.py")):
        module = importlib.import_module(f"domain.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            position = {"PolicyViolation": 0, "Refusal": 0, "_consent_in_force": 2}.get(name)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                named.add(argument.value)
            elif isinstance(argument, ast.Name) and isinstance(
                getattr(module, argument.id, None), str
            ):
                named.add(getattr(module, argument.id))
    return named


def _numbers(clause: str) -> list[str]:
    """`5.5, 10.1` -> the clauses it names; `UK GDPR art. 12(3)` -> `art. 12(3)`."""
    if clause.startswith("UK GDPR"):
        return [clause.removeprefix("UK GDPR ")]
    if clause.startswith("Housing Ombudsman"):
        return ["11.1"]  # the complaint timers carry out our complaints policy (11.1)
    return [part.strip() for part in clause.split(",")]


def test_the_policy_map_has_an_entry_for_every_clause_the_code_names() -> None:
    page = _page("policy-map.md")
    headings = set(re.findall(r"^## (\S+)", page, re.M))
    gdpr = set(re.findall(r"\*\*(art\. [^*]+)\*\*", page))
    named = _clauses_named_in_domain()
    named |= {clause for command in commands() for clause in command.clauses}
    named |= set(CLAUSES.values())
    assert {"10.1", "6.2", "9.4", "UK GDPR art. 17"} <= named  # the walk found them
    wanted = {number for clause in named for number in _numbers(clause)}
    missing = sorted(n for n in wanted if n not in headings | gdpr)
    assert not missing, f"no entry in docs/policy-map.md for {missing}"


@pytest.mark.parametrize("page", ["README.md", "architecture.md", "policy-map.md", "roles.md"])
def test_the_pages_name_modules_that_exist(page: str) -> None:
    for path in re.findall(
        r"`((?:domain|application|projections|interface)/[\w/]+\.py)`", _page(page)
    ):
        assert (ROOT / path).exists(), f"docs/{page} names {path}"


def test_nothing_cites_a_design_document_outside_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    citing = [p for p in tracked if "DESIGN" + ".md" in (ROOT / p).read_text(encoding="utf-8")]
    assert not citing
