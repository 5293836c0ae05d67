"""The LLM summarizer retries as every HTTP client does (core.retry), against the local
chat-completions fake: transient failures again, up to its budget, then quotes instead."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from sophia.core.gong.parsing import parse_call_details, parse_transcript
from sophia.core.insights.answer import CitationBook
from sophia.core.insights.llm import LLMSummarizer
from sophia.core.insights.spoken import spoken_sentences
from sophia.core.insights.summarizer import Candidate, ExtractiveSummarizer, SectionRequest
from sophia.core.models import Call
from sophia.core.retry import Retrier
from tests.conftest import raw_call, raw_transcript
from tests.fakes.chat_server import fake_chat

QUOTE = "The price is too high for us."


def no_wait_retrier(attempts: int, waits: list[float] | None = None) -> Retrier:
    """A retry policy that records its waits instead of sleeping them."""
    recorded = waits if waits is not None else []

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)

    return Retrier(
        attempts=attempts, backoff_s=0.5, max_backoff_s=8.0, max_retry_after_s=60.0, sleep=sleep
    )


def citing_model(messages: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"sections": [{"title": "Concerns", "bullets": [{"text": "Price.", "citations": [1]}]}]}
    )


def request() -> SectionRequest:
    call_id = "7000000000000000009"
    call = Call(
        details=parse_call_details(raw_call(call_id)),
        monologues=parse_transcript(raw_transcript(call_id, [("2002", [QUOTE])])).monologues,
    )
    return SectionRequest("Concerns", "Concerns.", [Candidate(spoken_sentences(call)[0], 1.0)])


@pytest.mark.parametrize(
    ("failures", "model_answers", "requests"),
    [
        ([500, 429], True, 3),  # transient: tried again, and the model answers
        ([503] * 3, False, 3),  # the budget spent: quotes instead
        ([400], False, 1),  # about what we sent: never tried again
    ],
)
async def test_transient_failures_are_retried_within_the_budget(
    failures: list[int], model_answers: bool, requests: int
) -> None:
    waits: list[float] = []
    with fake_chat(citing_model) as chat:
        chat.fail_next = list(failures)
        client = openai.AsyncOpenAI(api_key="test-key", base_url=chat.base_url, max_retries=0)
        summarizer = LLMSummarizer(
            client, "m", ExtractiveSummarizer(), retrier=no_wait_retrier(3, waits)
        )
        written = await summarizer.write("pricing", [request()], CitationBook())
        await client.close()
    assert len(chat.requests) == requests
    assert len(waits) == min(requests, 3) - 1
    [bullet] = written.sections[0].bullets
    if model_answers:
        assert (bullet.text, written.notice) == ("Price.", None)
    else:
        assert bullet.text == QUOTE
        assert written.notice and "unavailable" in written.notice
