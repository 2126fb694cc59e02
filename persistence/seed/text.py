"""Deterministic, real-looking English for seed documents: same seed, same text, every run."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from persistence.seed.banks import (
    BULLETS,
    CODE_SNIPPETS,
    FIRST_NAMES,
    LAST_NAMES,
    POSTMORTEM_TITLES,
    SENTENCES,
    SLOTS,
    TITLES,
    Topic,
)

_SLOT = re.compile(r"\{(\w+)\}")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True)
class GeneratedDocument:
    topic: Topic
    subject: str
    title: str
    content: str


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def capitalize(text: str) -> str:
    """Upper-case the first letter only (`str.capitalize` would lower-case `GraphQL`)."""
    return text[:1].upper() + text[1:]


def fill(template: str, rng: random.Random, subject: str) -> str:
    """Replace each `{slot}` with a word from its bank; `{Subject}` is the capitalized subject."""

    def pick(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "subject":
            return subject
        if name == "Subject":
            return capitalize(subject)
        if name == "person":
            return person(rng)
        if name == "percent":
            return str(rng.randrange(5, 61))
        if name == "benefit":
            return rng.choice(SLOTS["tradeoff"])
        return rng.choice(SLOTS[name.rstrip("0123456789")])

    return capitalize(_SLOT.sub(pick, template))


def title(rng: random.Random, topic: Topic, subject: str) -> str:
    templates = POSTMORTEM_TITLES if topic.key == "incidents" else TITLES
    return fill(rng.choice(templates), rng, subject)


def paragraph(rng: random.Random, subject: str, sentences: tuple[int, int] = (3, 6)) -> str:
    count = rng.randint(*sentences)
    return " ".join(fill(t, rng, subject) for t in rng.sample(SENTENCES, count))


def section(rng: random.Random, heading: str, subject: str) -> str:
    """A `##` section: one or two paragraphs, sometimes a bullet list or a code block."""
    parts = [f"## {heading}", paragraph(rng, subject)]
    if rng.random() < 0.35:
        parts.append(paragraph(rng, subject, (2, 4)))
    roll = rng.random()
    if roll < 0.3:
        parts.append("\n".join(f"- {fill(b, rng, subject)}" for b in rng.sample(BULLETS, 3)))
    elif roll < 0.4:
        language, code = rng.choice(CODE_SNIPPETS)
        parts.append(f"```{language}\n{code}\n```")
    return "\n\n".join(parts)


def document(rng: random.Random, topic: Topic, subject: str | None = None) -> GeneratedDocument:
    """A markdown document about one subject of `topic`: a title, an intro and 2–4 sections."""
    subject = subject or rng.choice(topic.subjects)
    heading = title(rng, topic, subject)
    sections = rng.sample(topic.sections, rng.randint(2, min(4, len(topic.sections))))
    body = [f"# {heading}", paragraph(rng, subject, (2, 4))]
    body.extend(section(rng, name, subject) for name in sections)
    return GeneratedDocument(topic, subject, heading, "\n\n".join(body) + "\n")


def sentences_of(content: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the prose sentences in markdown, for annotations to quote."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for block in content.split("\n\n"):
        if block and block[0].isalpha():
            for match in re.finditer(r"[^.?!]+[.?!]", block):
                text = match.group().strip()
                start = offset + block.index(text, match.start())
                spans.append((start, start + len(text)))
        offset += len(block) + 2
    return spans


class TextPool:
    """Prebuilt sections reused across documents: benchmark volumes at a few µs a document.

    Every document still gets its own title, intro and mix of sections, so full-text search
    and ranking see realistic, varied text.
    """

    def __init__(self, rng: random.Random, topics: Sequence[Topic], per_topic: int = 48) -> None:
        self.rng = rng
        self.topics = list(topics)
        self.intros: dict[str, list[str]] = {}
        self.sections: dict[str, list[str]] = {}
        for topic in self.topics:
            subjects = [rng.choice(topic.subjects) for _ in range(per_topic)]
            self.intros[topic.key] = [paragraph(rng, s, (2, 4)) for s in subjects]
            self.sections[topic.key] = [
                section(rng, rng.choice(topic.sections), s) for s in subjects
            ]

    def document(self, topic: Topic) -> tuple[str, str]:
        """(title, content) of a new document about `topic`."""
        rng = self.rng
        heading = title(rng, topic, rng.choice(topic.subjects))
        parts = [f"# {heading}", rng.choice(self.intros[topic.key])]
        parts.extend(rng.sample(self.sections[topic.key], rng.randint(2, 3)))
        return heading, "\n\n".join(parts) + "\n"
