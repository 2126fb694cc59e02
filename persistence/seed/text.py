"""Deterministic, real-looking English for seed documents: same seed, same text, every run."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from persistence.seed.banks import (
    BULLETS,
    CODE_SNIPPETS,
    COMMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    POSTMORTEM_TITLES,
    SENTENCES,
    SLOTS,
    TITLES,
    Topic,
)

_SLOT = re.compile(r"\{(\w+)\}")
_SENTENCE = re.compile(r"[^.?!]+[.?!]")


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
    """Replace each `{slot}` with a word from its bank; `{Subject}` is the capitalized subject.

    Slots of one bank in one sentence (`{failure}`, `{failure2}`; `{tradeoff}` and
    `{benefit}`) get different words.
    """
    used: set[str] = set()

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
            name = "tradeoff"
        bank = [w for w in SLOTS[name.rstrip("0123456789")] if w not in used]
        word = rng.choice(bank)
        used.add(word)
        return word

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
    """A markdown document about one subject of `topic`: a title, an intro, two to four sections."""
    subject = subject or rng.choice(topic.subjects)
    heading = title(rng, topic, subject)
    chosen = set(rng.sample(topic.sections, rng.randint(2, min(4, len(topic.sections)))))
    sections = [name for name in topic.sections if name in chosen]
    body = [f"# {heading}", paragraph(rng, subject, (2, 4))]
    body.extend(section(rng, name, subject) for name in sections)
    return GeneratedDocument(topic, subject, heading, "\n\n".join(body) + "\n")


def sentences_of(content: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the prose sentences in markdown, for annotations to quote."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for block in content.split("\n\n"):
        if block and block[0].isalpha():
            for match in _SENTENCE.finditer(block):
                text = match.group().strip()
                start = offset + block.index(text, match.start())
                spans.append((start, start + len(text)))
        offset += len(block) + 2
    return spans


class TextPool:
    """Prebuilt paragraphs and sections reused across documents: a few µs a document.

    Each subject has its own intros and a couple of variants of every section heading, so a
    document's title and body still agree, and its mix of sections is its own: full-text
    search and ranking see realistic, varied text at benchmark volumes.
    """

    def __init__(self, rng: random.Random, topics: Sequence[Topic], variants: int = 2) -> None:
        self.rng = rng
        self.intros: dict[str, list[str]] = {}
        self.sections: dict[tuple[str, str], list[str]] = {}
        for topic in topics:
            for subject in topic.subjects:
                self.intros[subject] = [paragraph(rng, subject, (2, 4)) for _ in range(variants)]
                for heading in topic.sections:
                    self.sections[subject, heading] = [
                        section(rng, heading, subject) for _ in range(variants)
                    ]

    def document(self, topic: Topic) -> tuple[str, str]:
        """(title, content) of a new document about `topic`."""
        rng = self.rng
        subject = rng.choice(topic.subjects)
        heading = title(rng, topic, subject)
        chosen = set(rng.sample(topic.sections, rng.randint(2, 3)))
        parts = [f"# {heading}", rng.choice(self.intros[subject])]
        parts.extend(
            rng.choice(self.sections[subject, name]) for name in topic.sections if name in chosen
        )
        return heading, "\n\n".join(parts) + "\n"


def annotations(rng: random.Random, content: str, count: int) -> list[tuple[int, int, str, str]]:
    """Up to `count` comments on distinct sentences: (start, end, quote, body), quote = slice."""
    spans = sentences_of(content)
    picked = sorted(rng.sample(spans, min(count, len(spans))))
    return [(s, e, content[s:e], rng.choice(COMMENTS)) for s, e in picked]
