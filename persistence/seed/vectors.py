"""Deterministic pseudo-random embeddings in which nodes of one cluster lie close together."""

from __future__ import annotations

import math
import random
from array import array

from persistence.knowledge.models import EMBEDDING_DIMENSIONS

# The norm of a vector of uniform random bytes (-128..127) of our dimension: the noise scale.
NOISE_NORM = math.sqrt(EMBEDDING_DIMENSIONS * (256**2 - 1) / 12)


def unit(values: list[float]) -> list[float]:
    """`values` scaled to length 1 (cosine distance is what the HNSW index uses)."""
    norm = math.hypot(*values) or 1.0
    return [v / norm for v in values]


def direction(seed: str) -> list[float]:
    """A unit vector fixed by `seed` alone, so a cluster sits in the same place on every run."""
    rng = random.Random(seed)
    return unit([rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_DIMENSIONS)])


class EmbeddingSpace:
    """Embeddings as cluster centre plus noise: same cluster means a cosine similarity near 0.6.

    A point's centre mixes the directions of its keys (e.g. node type, then topic), so nodes
    sharing both are nearest, nodes sharing one are nearer than strangers. Noise comes from
    `rng.randbytes`, which keeps 50,000 embeddings at a couple of seconds of pure Python.
    """

    def __init__(self, rng: random.Random, seed: str, weights: tuple[float, ...] = (0.8, 1.0)):
        self.rng = rng
        self.seed = seed
        self.weights = weights
        self._centres: dict[tuple[str, ...], list[float]] = {}

    def centre(self, keys: tuple[str, ...]) -> list[float]:
        centre = self._centres.get(keys)
        if centre is None:
            centre = [0.0] * EMBEDDING_DIMENSIONS
            for weight, key in zip(self.weights, keys, strict=True):
                part = direction(f"{self.seed}:{key}")
                centre = [c + weight * NOISE_NORM * p for c, p in zip(centre, part, strict=True)]
            self._centres[keys] = centre
        return centre

    def embed(self, *keys: str) -> list[float]:
        """A new unit vector near the centre of `keys`."""
        noise = array("b", self.rng.randbytes(EMBEDDING_DIMENSIONS))
        return unit([c + n for c, n in zip(self.centre(keys), noise, strict=True)])
