"""Joining call details with transcripts, the step both sources share."""

from __future__ import annotations

from collections.abc import Mapping

from sophia.core.models import Call, CallDetails, Transcript

__all__ = ["join_calls"]


def join_calls(
    details: Mapping[str, CallDetails], transcripts: Mapping[str, Transcript]
) -> tuple[list[Call], list[str]]:
    """Calls that have both halves (oldest first), and the ids that lack one half.

    Gong publishes transcripts and call details independently, so either may arrive first;
    an id with only one half is pending, never dropped.
    """
    calls = [
        Call(details=d, monologues=transcripts[call_id].monologues)
        for call_id, d in details.items()
        if call_id in transcripts
    ]
    calls.sort(key=lambda call: (call.details.started, call.call_id))
    pending = sorted(set(details).symmetric_difference(transcripts))
    return calls, pending
