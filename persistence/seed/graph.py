"""The shape of a seed knowledge graph: labelled, typed nodes and plausible typed edges.

Pure data, no database: the demo inserts it with the repositories, the benchmark with COPY.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from persistence.seed.banks import (
    CONCEPTS,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    PROJECT_NAMES,
    PROJECT_SUFFIXES,
    TECHNOLOGIES,
)

# Share of each node type in a generated graph.
NODE_MIX = {"concept": 0.15, "technology": 0.15, "project": 0.3, "person": 0.4}

# Which edge types leave a node of each type, and the node types they may point at.
EDGE_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "person": (
        ("authored", ("project", "concept")),
        ("mentions", ("technology", "concept", "person")),
        ("related_to", ("person",)),
    ),
    "project": (
        ("depends_on", ("technology", "project")),
        ("mentions", ("concept",)),
        ("related_to", ("project",)),
    ),
    "technology": (("depends_on", ("technology",)), ("related_to", ("technology", "concept"))),
    "concept": (("related_to", ("concept", "technology")), ("mentions", ("concept",))),
}
EDGE_TYPES = ("authored", "depends_on", "mentions", "related_to")
PROJECT_STATUSES = ("planned", "active", "active", "done")


@dataclass(frozen=True)
class NodeSpec:
    label: str
    node_type: str
    cluster: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EdgeSpec:
    """An edge between two nodes, by their index in the node list."""

    source: int
    target: int
    edge_type: str
    weight: float


def _bank(node_type: str) -> list[str]:
    if node_type == "technology":
        return list(TECHNOLOGIES)
    if node_type == "concept":
        return [c[:1].upper() + c[1:] for c in CONCEPTS]
    if node_type == "project":
        return [f"Project {n}{s}" for s in PROJECT_SUFFIXES for n in PROJECT_NAMES]
    return [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]


def labels(rng: random.Random, node_type: str) -> Iterator[str]:
    """Distinct labels: the bank in shuffled order, then again with a number, and so on."""
    bank = _bank(node_type)
    rng.shuffle(bank)
    for round_ in count(1):
        for label in bank:
            yield label if round_ == 1 else f"{label} {round_}"


def _properties(rng: random.Random, node_type: str, cluster: str) -> dict[str, Any]:
    if node_type == "person":
        return {"title": rng.choice(JOB_TITLES), "area": cluster}
    if node_type == "project":
        return {"status": rng.choice(PROJECT_STATUSES), "area": cluster}
    if node_type == "technology":
        return {"area": cluster, "adopted": rng.randrange(2012, 2026)}
    return {"area": cluster}


def nodes(rng: random.Random, total: int, clusters: Sequence[str]) -> list[NodeSpec]:
    """`total` nodes in the proportions of NODE_MIX, each placed in one of `clusters`."""
    types = list(NODE_MIX)
    sizes = [int(total * NODE_MIX[t]) for t in types]
    sizes[-1] += total - sum(sizes)
    found: list[NodeSpec] = []
    for node_type, size in zip(types, sizes, strict=True):
        names = labels(rng, node_type)
        for _ in range(size):
            cluster = rng.choice(clusters)
            props = _properties(rng, node_type, cluster)
            found.append(NodeSpec(next(names), node_type, cluster, props))
    return found


def edges(rng: random.Random, specs: Sequence[NodeSpec], total: int) -> Iterator[EdgeSpec]:
    """Up to `total` distinct edges following EDGE_RULES, mostly inside one cluster, lazily.

    No self-loops and no repeated (source, target, type); edges inside a cluster weigh more.
    Stops early only when the graph is too small to hold that many distinct edges.
    """
    if not specs:
        return
    by_type: dict[str, list[int]] = {}
    by_type_cluster: dict[tuple[str, str], list[int]] = {}
    for i, spec in enumerate(specs):
        by_type.setdefault(spec.node_type, []).append(i)
        by_type_cluster.setdefault((spec.node_type, spec.cluster), []).append(i)
    seen: set[tuple[int, int, str]] = set()
    attempts = 0
    while len(seen) < total and attempts < total * 20:
        attempts += 1
        source = rng.randrange(len(specs))
        spec = specs[source]
        edge_type, target_types = rng.choice(EDGE_RULES[spec.node_type])
        target_type = rng.choice(target_types)
        local = by_type_cluster.get((target_type, spec.cluster))
        pool = local if local and rng.random() < 0.7 else by_type.get(target_type)
        if not pool:
            continue
        target = rng.choice(pool)
        key = (source, target, edge_type)
        if target == source or key in seen:
            continue
        seen.add(key)
        same = specs[target].cluster == spec.cluster
        weight = round(0.5 + 0.5 * rng.random() if same else 0.5 * rng.random(), 3)
        yield EdgeSpec(source, target, edge_type, weight)
