"""The registry of extractors: which there are, and in which order they run.

An extractor is registered by one line in EXTRACTOR_MODULES; the module defines
`EXTRACTOR`, its subclass of base.Extractor. They run in an order where each comes after
the extractors that provide what it requires (labels or annotations); among those free to
run, the order of this list. A requirement nobody provides, or a cycle, is an error at
start-up. The rules files, the output tables, `explain` and `python -m pipeline
extractors` are all derived from here.
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from .base import Extractor

EXTRACTOR_MODULES = (
    "pipeline.extract.dates",
    "pipeline.extract.money",
    "pipeline.extract.measures",
    "pipeline.extract.lac",
    "pipeline.extract.officials",
    "pipeline.extract.projects",
    "pipeline.extract.ner",
)


class RegistryError(Exception):
    pass


def order(classes: list[type[Extractor]]) -> list[type[Extractor]]:
    """classes in an order that runs every extractor after those it requires."""
    names = [c.name for c in classes]
    if len(set(names)) != len(names):
        raise RegistryError(f"two extractors share a name: {names}")
    provider: dict[str, type[Extractor]] = {}
    for c in classes:
        for what in (*c.labels, *c.provides):
            if what in provider:
                raise RegistryError(f"{what!r} is provided by both {provider[what].name} and {c.name}")
            provider[what] = c
    needs: dict[str, set[str]] = {}
    for c in classes:
        missing = [r for r in c.requires if r not in provider]
        if missing:
            raise RegistryError(f"extractor {c.name} requires {', '.join(missing)}, which no extractor provides")
        needs[c.name] = {provider[r].name for r in c.requires} - {c.name}
    done: list[type[Extractor]] = []
    left = list(classes)
    while left:
        ready = next((c for c in left if needs[c.name] <= {d.name for d in done}), None)
        if ready is None:
            cycle = " -> ".join(c.name for c in left)
            raise RegistryError(f"the extractors' requirements form a cycle among: {cycle}")
        done.append(ready)
        left.remove(ready)
    return done


@lru_cache(maxsize=None)
def _load(modules: tuple[str, ...]) -> tuple[type[Extractor], ...]:
    classes = []
    for name in modules:
        module = importlib.import_module(name)
        cls = getattr(module, "EXTRACTOR", None)
        if not (isinstance(cls, type) and issubclass(cls, Extractor)):
            raise RegistryError(f"{name} defines no EXTRACTOR (a subclass of pipeline.extract.base.Extractor)")
        classes.append(cls)
    return tuple(order(classes))


def extractor_classes() -> tuple[type[Extractor], ...]:
    """Every registered extractor class, in running order."""
    return _load(EXTRACTOR_MODULES)


def by_name(name: str) -> type[Extractor]:
    for c in extractor_classes():
        if c.name == name:
            return c
    raise KeyError(name)
