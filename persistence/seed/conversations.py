"""Seeded conversations: a few cited question-and-answer threads for the demo, and one long
conversation for the benchmark (`Conversation.messages(last: 50)` over 10,000 messages)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.models import Visibility
from persistence.conversation.messages import CitationRepository, MessageRepository
from persistence.conversation.models import Conversation, MessageRole
from persistence.conversation.repository import ConversationRepository
from persistence.ids import new_id
from persistence.scope import Scope

BATCH = 1_000
QUESTIONS = (
    "Where is {title} described?",
    "What should I read before changing {title}?",
    "Can you summarise {title}?",
)
ANSWER = "See **{title}**: it covers this in its first section, and the related notes below."


async def add_conversation(
    session: AsyncSession,
    scope: Scope,
    rng: random.Random,
    *,
    title: str,
    owner: uuid.UUID,
    participants: Sequence[uuid.UUID],
    assistant: uuid.UUID,
    documents: Sequence[Any],
    messages: int,
    visibility: Visibility = Visibility.ORGANIZATION,
) -> int:
    """A conversation of `messages` alternating questions and cited answers, inserted in
    batches; returns the citations written."""
    conversation = await ConversationRepository(session, scope).create(
        title=title, owner_id=owner, visibility=visibility, context_document_id=documents[0].id
    )
    await ConversationRepository(session, scope).add_participants(
        conversation.id, list(dict.fromkeys([owner, *participants, assistant]))
    )
    cited = 0
    for start in range(1, messages + 1, BATCH):
        rows, citations = [], []
        for position in range(start, min(start + BATCH, messages + 1)):
            document = rng.choice(documents)
            answer = position % 2 == 0
            id = new_id()
            rows.append(
                {
                    "id": id,
                    "conversation_id": conversation.id,
                    "position": position,
                    "role": MessageRole.ASSISTANT if answer else MessageRole.USER,
                    "author_user_id": assistant if answer else rng.choice([owner, *participants]),
                    "body": (ANSWER if answer else rng.choice(QUESTIONS)).format(
                        title=document.title
                    ),
                    "model_name": "demo-model" if answer else None,
                    "completion_tokens": rng.randint(40, 400) if answer else None,
                }
            )
            if answer:
                for rank, source in enumerate(rng.sample(list(documents), 2), start=1):
                    span = {"span_start": 0, "span_end": 40} if rank == 1 else {}
                    citations.append(
                        {"message_id": id, "rank": rank, "document_id": source.id, **span}
                    )
        await MessageRepository(session, scope).create_many(rows)
        await CitationRepository(session, scope).create_many(citations)
        cited += len(citations)
    await session.execute(
        update(Conversation)
        .where(Conversation.organization_id == scope.organization_id)
        .where(Conversation.id == conversation.id)
        .values(message_count=messages)
    )
    return cited


async def demo_conversations(
    session: AsyncSession,
    scope: Scope,
    rng: random.Random,
    users: Sequence[Any],
    documents: Sequence[Any],
) -> dict[str, int]:
    """Three short threads: two for everyone, one private between the admin and the editor."""
    admin, editor, viewer = users
    live = [
        d for d in documents if d.deleted_at is None and d.visibility == Visibility.ORGANIZATION
    ]
    threads = (
        ("Onboarding questions", viewer.id, [editor.id], Visibility.ORGANIZATION),
        ("Release checklist", editor.id, [viewer.id], Visibility.ORGANIZATION),
        ("Budget review", admin.id, [editor.id], Visibility.PRIVATE),
    )
    cited = 0
    for title, owner, participants, visibility in threads:
        cited += await add_conversation(
            session,
            scope,
            rng,
            title=title,
            owner=owner,
            participants=participants,
            assistant=admin.id,
            documents=rng.sample(live, 5),
            messages=6,
            visibility=visibility,
        )
    return {"conversations": len(threads), "messages": 6 * len(threads), "citations": cited}


LONG_CONVERSATION = 10_000
LONG_TITLE = "Benchmark thread"


async def scale_conversations(
    session: AsyncSession,
    scope: Scope,
    rng: random.Random,
    users: Sequence[Any],
    documents: int,
    *,
    first_run: bool,
) -> dict[str, int]:
    """On the first run one conversation of 10,000 messages (the benchmark's); on every run
    one short thread per thousand documents; all citing documents of the organization."""
    from persistence.document.repository import DocumentRepository

    sources = list(
        (await session.scalars(DocumentRepository(session, scope).select().limit(200))).all()
    )
    if len(sources) < 2:
        return {}
    admin, *others = users
    ids = [u.id for u in others] or [admin.id]
    threads = [(LONG_TITLE, LONG_CONVERSATION)] if first_run else []
    threads += [(f"Thread {n + 1}", 20) for n in range(max(documents // 1000, 1))]
    cited = 0
    for title, messages in threads:
        cited += await add_conversation(
            session,
            scope,
            rng,
            title=title,
            owner=ids[0],
            participants=ids[1:],
            assistant=admin.id,
            documents=rng.sample(sources, min(len(sources), 50)),
            messages=messages,
        )
    total = sum(m for _, m in threads)
    return {"conversations": len(threads), "messages": total, "citations": cited}
