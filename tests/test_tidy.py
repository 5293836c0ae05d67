"""Tidying spoken sentences: fillers, stutters, half-words and false starts go, the words
said stay."""

from __future__ import annotations

import pytest

from sophia.core.insights.cues import small_talk
from sophia.core.insights.tidy import tidy


@pytest.mark.parametrize(
    ("said", "tidied"),
    [
        ("Um, I I think the the price is, you know, too high.", "I think the price is too high."),
        ("Uh, so uh we need to to decide by Friday.", "We need to decide by Friday."),
        ("We we went we went around this twice.", "We went around this twice."),
        (
            "It ta takes th- the longest on the i individual sets.",
            "It takes the longest on the individual sets.",
        ),
        ("Yeah, okay, so the board signs off in March.", "The board signs off in March."),
        ("A r a rabbit would do.", "A rabbit would do."),
        ("The price is fine.", "The price is fine."),
        ("There are slight There are differences in pricing.", "There are differences in pricing."),
        ("We have We also We have to get legal in.", "We have to get legal in."),
        ("We've got a lot we've got a lot of seats.", "We've got a lot of seats."),
        # Unmarked restarts: the subject and its verb said again a few words on.
        ("We have to we have about four minutes left.", "We have about four minutes left."),
        ("It looks like there's a It looks like a butterfly.", "It looks like a butterfly."),
        (
            "You can just preview your you can just preview your page.",
            "You can just preview your page.",
        ),
        ("We can for we can forget combining features.", "We can forget combining features."),
        # A phrase broken off after an article and begun again.
        (
            "It's a kick-off meeting for the design of a for the beginning of the project.",
            "It's a kick-off meeting for the beginning of the project.",
        ),
        ("Download it to the to this remote control.", "Download it to this remote control."),
        ("It has some quirks of the, of each of these.", "It has some quirks of each of these."),
        # An article changed on the spot: the second is the one the speaker meant.
        ("Do you want a an LCD?", "Do you want an LCD?"),
        ("Easy finder with the a whistle function.", "Easy finder with a whistle function."),
        ("It's just an a approximation.", "It's just a approximation."),
        # ... also after a comma earlier in the sentence.
        ("Yeah, and we could make an a separate menu.", "We could make a separate menu."),
        # An article dropped for a new start at a pronoun.
        ("The we got to the point.", "We got to the point."),
        (
            "That's it, an I don't know if you have questions.",
            "That's it, I don't know if you have questions.",
        ),
        (
            "The outlook of the mobile, the it should have a fancy outlook.",
            "The outlook of the mobile, it should have a fancy outlook.",
        ),
        # A subject said again after a determiner and a preposition, not a noun.
        (
            "That's the on that's the only training data we have.",
            "That's the only training data we have.",
        ),
        # A word cut off and said again with the word before it.
        ("If you see on th on the sides.", "If you see on the sides."),
    ],
)
def test_tidy_removes_disfluencies_and_keeps_the_words(said: str, tidied: str) -> None:
    assert tidy(said) == tidied


@pytest.mark.parametrize(
    "said",
    [
        # A new sentence, not a restart.
        "It will miss them. It will miss most of it.",
        # A name said twice is not a restart, capitalised or not.
        "Moss and Co said Moss and Co will sign.",
        # Two clauses that open alike, joined or compared.
        "What they like and what they find fashionable.",
        "We have moose and we have deer.",
        "It's better to put it in that channel than to put it in the other.",
        # A wh-word, or a noun a relative clause describes.
        "I think what they do is they do it always on Fridays.",
        "We have the same problems we have with the old ones.",
        # "you know" is padding, not a restart.
        "The bakery you know in the station you know the one.",
        "As long as you can stick a you know, a tag on it.",
        "The price of the product is too high for the team.",
        # A capital A mid-sentence is the letter, not an article.
        "There's a sample and hold in the A to D converter.",
        "It's an A below middle C.",
        "Before the A.",
        "We can generate descriptions of how to get from A to B.",
        # Acronyms and letters after an article are not pronouns.
        "The IT team and the US office sign off.",
        "A I is the topic today.",
        "It's an O instead of an I, but the D is good.",
        "There's an I - triple - E standard for it.",
    ],
)
def test_tidy_keeps_repeats_that_are_not_restarts(said: str) -> None:
    assert tidy(said) == said


@pytest.mark.parametrize("said", ["Mm-hmm.", "Uh - huh.", "Yeah.", "Okay.", "Um, yeah.", "Hmm?"])
def test_backchannels_tidy_to_nothing(said: str) -> None:
    assert tidy(said) == ""


def test_tidy_keeps_real_short_words_before_longer_ones() -> None:
    # "to" begins "tomorrow" and "in" begins "invoice", but both are words, not cut-offs.
    assert tidy("Send it to tomorrow's meeting in invoice form.") == (
        "Send it to tomorrow's meeting in invoice form."
    )


@pytest.mark.parametrize(
    "said",
    [
        "Hi Aisha! How's your week going?",
        "Hey everyone, thanks for making time.",
        "How was the long weekend?",
        "Quick heads-up, I've got our recorder on.",
        "Sorry, my screen just froze.",
        "Thanks, you too, bye bye.",
        "Alright, thanks everyone, have a good Friday.",
        "Thanks everyone, really appreciate the time.",
    ],
)
def test_greetings_and_pleasantries_are_small_talk(said: str) -> None:
    assert small_talk(said)


@pytest.mark.parametrize(
    "said",
    [
        "The price is too high for a company our size.",
        "Our morning standup is where the forecast breaks.",
        "We're also evaluating DealForge and Quotient AI.",
        "I'll send over the order form by Friday.",
        "We have a good Friday cadence for the forecast call.",
        "We'd appreciate the timeline in writing.",
    ],
)
def test_business_is_not_small_talk(said: str) -> None:
    assert not small_talk(said)
