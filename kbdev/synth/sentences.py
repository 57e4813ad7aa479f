"""Sentences of synthetic news: claims of every modality naming actors the way articles do, and filler."""

from __future__ import annotations

import datetime as dt
import random

from kb.choices import Modality
from kbdev.synth.actors import SynthActor, plan_actors
from kbdev.synth.sampling import Zipf, date_words, partial_date, weighted
from kbdev.synth.vocabulary import DOCUMENTS, PUBLISHERS, TOPICS, WEAPONS


class SentenceMaker:
    """Claim sentences of every modality, naming actors the way articles do."""

    def __init__(self, rng: random.Random, actors: list[SynthActor]) -> None:
        self.rng = rng
        self.actors = actors
        self.zipf = Zipf(len(actors), 1.15)
        self.people = [a for a in actors if a.kind == "person"] or actors
        self.places = [a for a in actors if a.kind in ("place", "facility")] or actors
        self.place_zipf = Zipf(len(self.places), 1.0)

    def actor(self) -> SynthActor:
        return self.actors[self.zipf.draw(self.rng)]

    def place(self) -> SynthActor:
        return self.places[self.place_zipf.draw(self.rng)]

    def mention(self, actor: SynthActor) -> str:
        # Mostly the most common form, sometimes a variant or an alias.
        options = actor.mentions + actor.aliases
        return options[0] if self.rng.random() < 0.6 else self.rng.choice(options)

    def claim(self, when: tuple[dt.date, str] | None, publisher: str) -> dict:
        """One sentence that is a claim: quote, modality, subjects, speaker, attribution."""
        rng = self.rng
        a = self.actor()
        b = self.actor()
        while b.pk == a.pk:
            b = self.actor()
        subjects = [a.pk, b.pk]
        weapon, _, unit = rng.choice(WEAPONS)
        topic = rng.choice(TOPICS)
        time = f" in {date_words(*when)}" if when else ""
        qty = rng.choice([12, 24, 40, 100, 300, 1_000, 5_000, 20_000])
        modality = weighted(rng, Modality.values, (45, 20, 12, 8, 15))
        speaker = None
        attributed = ""
        A, B = self.mention(a), self.mention(b)
        if modality == Modality.FACT:
            place = self.place()
            subjects.append(place.pk)
            text = rng.choice(
                [
                    f"{A} delivered {qty:,} {weapon} {unit} to {B}{time}.",
                    f"{A} and {B} signed a {rng.choice(DOCUMENTS)} on {topic} in {self.mention(place)}{time}.",
                    f"{A} met officials from {B} in {self.mention(place)}{time} to discuss {topic}.",
                    f"Satellite images showed {qty} rail cars of {weapon} {unit} at {self.mention(place)}{time}.",
                    f"Ships linked to {A} carried {weapon} {unit} from {self.mention(place)} to {B}{time}.",
                ]
            )
        elif modality == Modality.ASSESSMENT:
            text = rng.choice(
                [
                    f"Analysts at {publisher} assess that {A} has likely supplied {weapon} {unit} to {B}{time}.",
                    f"{A}'s support for {B} in {topic} is probably growing, officials believe.",
                    f"It is likely that {A} received {topic} assistance from {B}{time}.",
                ]
            )
        elif modality == Modality.FORECAST:
            text = rng.choice(
                [
                    f"{A} is expected to send more {weapon} {unit} to {B}{time}.",
                    f"{A} will likely deepen {topic} with {B} over the coming year.",
                    f"Experts predict that {B} will seek {weapon} {unit} from {A}.",
                ]
            )
        elif modality == Modality.OPINION:
            text = rng.choice(
                [
                    f"It would be a grave mistake for {A} to ignore {B}'s ambitions in {topic}.",
                    f"The partnership between {A} and {B} is a marriage of convenience, not an alliance.",
                ]
            )
        else:
            person = self.people[self.zipf.draw(rng) % len(self.people)]
            speaker = person.pk
            said = self.mention(person)
            attributed = f"{said} said"
            text = rng.choice(
                [
                    f"{said} said that {A} would never abandon {B} and would expand {topic}.",
                    f"“{A} stands with {B},” {said} told reporters{time}.",
                    f"{said} denied that {A} had sent {weapon} {unit} to {B}.",
                ]
            )
        return {
            "quote": text,
            "modality": modality,
            "subjects": list(dict.fromkeys(subjects)),
            "speaker": speaker,
            "attributed_to": attributed,
            "statement": f"{a.name} and {b.name}: {topic}.",
        }

    def filler(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                "Officials declined to comment.",
                "The report did not give further details.",
                f"{self.mention(self.actor())} has not responded to requests for comment.",
                f"The claim could not be independently verified by {rng.choice(PUBLISHERS)}.",
                f"Talks on {rng.choice(TOPICS)} are set to continue.",
            ]
        )


def article(*, seed: int, words: int = 1000) -> str:
    """A fresh news article of about ``words`` words in the synthetic style, naming well-known actors."""
    rng = random.Random(seed)
    maker = SentenceMaker(rng, plan_actors(rng, 200))
    publisher = rng.choice(PUBLISHERS)
    paragraphs, paragraph, count = [], [], 0
    while count < words:
        when = partial_date(rng, 2022, 2024) if rng.random() < 0.5 else None
        sentence = maker.claim(when, publisher)["quote"] if rng.random() < 0.7 else maker.filler()
        paragraph.append(sentence)
        count += len(sentence.split())
        if len(paragraph) >= 4:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)
