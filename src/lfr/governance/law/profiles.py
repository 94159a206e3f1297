"""Jurisdiction profiles: the law a deployment runs under, as named rules with their sources.

A profile is chosen in the policy (``Policy.profile``; ``lfr policy profile uk|eu-ai-act``),
so every change is a new policy version and an audit entry. The UK profile is the Met-style
behaviour plus the UK rules; the EU profile adds the EU AI Act's rules for real-time remote
biometric identification by law enforcement. Every refusal and warning a rule causes quotes the
rule's source (``RuleRefusalError``), so an officer, a court or a regulator can look it up.

The services ask ``profile.applies(RULE)`` rather than ``profile.name == ...``: adding a
jurisdiction is adding a profile, not editing every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lfr.errors import PolicyViolationError


class ProfileName(StrEnum):
    UK = "uk"
    EU_AI_ACT = "eu-ai-act"


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    """Where the rule comes from, as quoted in refusals: "EU AI Act Art. 5(3)"."""
    says: str
    """The rule in plain words, for officers and the public page."""


# Rule ids: the services refer to these constants, never to the strings.
CLOSED_CATEGORIES = "closed-categories"
AUTHORISED_BY_ANOTHER = "authorised-by-another-officer"
DPIA_PINNED = "dpia-pinned"
EQUALITY_ASSESSMENT = "equality-impact-assessment"
THRESHOLD_FLOOR = "threshold-floor"
EXPECTED_FALSE_ALERTS = "expected-false-alerts"
CHILDREN = "children"
ENCOUNTER_RECORDS = "encounter-records"
NO_ARREST_ON_MATCH_ALONE = "no-arrest-on-match-alone"
LONG_STOP_REASON = "long-stop-reason"
OBJECTIVE = "objective"
ANNEX_II_OFFENCE = "annex-ii-offence"
INDEPENDENT_AUTHORISATION = "independent-authorisation"
URGENT_START = "urgent-start-24h"
REFUSAL_DELETES = "refusal-deletes-everything"
LIMITS_TIME_PLACE_PERSONS = "limits-time-place-persons"
FRIA = "fundamental-rights-impact-assessment"
EU_DATABASE_REGISTRATION = "eu-database-registration"
LEGAL_MANDATE = "legal-mandate"
TWO_PERSON_VERIFICATION = "two-person-verification"
NOTICE_PER_USE = "notice-per-use"
ANNUAL_REPORT = "annual-report"

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            CLOSED_CATEGORIES,
            "Bridges v South Wales Police [2020] EWCA Civ 1058, paras 91 and 120-124",
            "Only people in the policy's closed categories may be on a watchlist, each with a"
            " reason and an image source.",
        ),
        Rule(
            AUTHORISED_BY_ANOTHER,
            "College of Policing APP on LFR; Met LFR policy (2024)",
            "A deployment goes live only when an officer other than its planner has authorised it.",
        ),
        Rule(
            DPIA_PINNED,
            "Data Protection Act 2018 s.64; Bridges [2020] EWCA Civ 1058",
            "Each deployment relies on a current data protection impact assessment, pinned by"
            " version.",
        ),
        Rule(
            EQUALITY_ASSESSMENT,
            "Equality Act 2010 s.149 (Public Sector Equality Duty); Bridges [2020] para 181",
            "Each deployment relies on a current equality impact assessment, pinned by version.",
        ),
        Rule(
            THRESHOLD_FLOOR,
            "NPL 2023 evaluation; Bridges [2020] para 181",
            "A threshold looser than the evaluated fair operating point needs a recorded reason.",
        ),
        Rule(
            EXPECTED_FALSE_ALERTS,
            "NPL 2023 evaluation (false alerts grow with watchlist size)",
            "The authoriser sees the expected false alerts: expected footfall times the false"
            " positive identification rate at this watchlist size and threshold.",
        ),
        Rule(
            CHILDREN,
            "Liberty Investigates (2025); UN Convention on the Rights of the Child Art. 3",
            "An entry under 18 needs a child-specific reason and an authorising officer's"
            " approval; the number of under-18 entries is published.",
        ),
        Rule(
            ENCOUNTER_RECORDS,
            "Met LFR annual report 2024-25; R (Thompson) v Commissioner [2026] EWHC 915 (Admin)",
            "Every alert's encounter is recorded (stopped or not, how long, how identity was"
            " checked, outcome), and stops in the zone that no alert caused too.",
        ),
        Rule(
            NO_ARREST_ON_MATCH_ALONE,
            "EU AI Act Art. 5(3), last sentence; Detroit Police face recognition policy (2024)",
            "No arrest on the match alone: recording an arrest needs the corroboration used.",
        ),
        Rule(
            LONG_STOP_REASON,
            "R (Thompson) v Commissioner [2026] EWHC 915 (Admin)",
            "A stop longer than the profile's limit needs the officer's reason.",
        ),
        Rule(
            OBJECTIVE,
            "EU AI Act Art. 5(1)(h)",
            "A deployment names one of the three permitted objectives: (i) search for victims"
            " or missing persons, (ii) preventing an imminent threat to life or a terrorist"
            " attack, (iii) locating a suspect of a serious offence.",
        ),
        Rule(
            ANNEX_II_OFFENCE,
            "EU AI Act Art. 5(1)(h)(iii) and Annex II",
            "Under objective (iii) every entry names an Annex II offence punishable by a"
            " maximum sentence of at least four years.",
        ),
        Rule(
            INDEPENDENT_AUTHORISATION,
            "EU AI Act Art. 5(3)",
            "Use needs prior authorisation by a judicial or independent administrative"
            " authority, on a reasoned request.",
        ),
        Rule(
            URGENT_START,
            "EU AI Act Art. 5(3)",
            "In a duly justified urgency use may start without authorisation, which must then"
            " be requested and granted within 24 hours.",
        ),
        Rule(
            REFUSAL_DELETES,
            "EU AI Act Art. 5(3)",
            "If authorisation is refused, use stops at once and all its data, results and"
            " outputs are deleted.",
        ),
        Rule(
            LIMITS_TIME_PLACE_PERSONS,
            "EU AI Act Art. 5(2)",
            "Use is limited to the authorised time window, cameras and named persons.",
        ),
        Rule(
            FRIA,
            "EU AI Act Art. 27",
            "A fundamental rights impact assessment with the fields (a) to (f) is completed"
            " and current.",
        ),
        Rule(
            EU_DATABASE_REGISTRATION,
            "EU AI Act Art. 49",
            "The system is registered in the EU database; the registration number is recorded.",
        ),
        Rule(
            LEGAL_MANDATE,
            "EU AI Act Art. 5(5)",
            "Use rests on national law that allows it; the force's legal mandate is registered"
            " and current.",
        ),
        Rule(
            TWO_PERSON_VERIFICATION,
            "EU AI Act Art. 14(5)",
            "No action on an identification until two trained people have verified it"
            " separately; the second does not see the first's verdict.",
        ),
        Rule(
            NOTICE_PER_USE,
            "EU AI Act Art. 5(4)",
            "Each use is notified to the market surveillance and data protection authorities,"
            " without sensitive operational data.",
        ),
        Rule(
            ANNUAL_REPORT,
            "EU AI Act Art. 5(6)",
            "A yearly report gives the number of requests and decisions and their results.",
        ),
    )
}

_UK_RULES = (
    CLOSED_CATEGORIES,
    AUTHORISED_BY_ANOTHER,
    DPIA_PINNED,
    EQUALITY_ASSESSMENT,
    THRESHOLD_FLOOR,
    EXPECTED_FALSE_ALERTS,
    CHILDREN,
    ENCOUNTER_RECORDS,
    NO_ARREST_ON_MATCH_ALONE,
    LONG_STOP_REASON,
)
_EU_RULES = (
    *_UK_RULES,
    OBJECTIVE,
    ANNEX_II_OFFENCE,
    INDEPENDENT_AUTHORISATION,
    URGENT_START,
    REFUSAL_DELETES,
    LIMITS_TIME_PLACE_PERSONS,
    FRIA,
    EU_DATABASE_REGISTRATION,
    LEGAL_MANDATE,
    TWO_PERSON_VERIFICATION,
    NOTICE_PER_USE,
    ANNUAL_REPORT,
)


@dataclass(frozen=True)
class Profile:
    name: ProfileName
    title: str
    rule_ids: tuple[str, ...]
    max_stop_minutes: int
    """A stop longer than this needs a reason (``LONG_STOP_REASON``)."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(RULES[rule_id] for rule_id in self.rule_ids)

    def applies(self, rule_id: str) -> bool:
        return rule_id in self.rule_ids

    def refuse(self, rule_id: str, detail: str) -> RuleRefusalError:
        """The refusal to raise when ``rule_id`` is not met (it quotes the rule's source)."""
        return RuleRefusalError(RULES[rule_id], detail)


PROFILES: dict[ProfileName, Profile] = {
    ProfileName.UK: Profile(
        ProfileName.UK, "United Kingdom (Met-style rules)", _UK_RULES, max_stop_minutes=10
    ),
    ProfileName.EU_AI_ACT: Profile(
        ProfileName.EU_AI_ACT,
        "European Union: AI Act, Regulation (EU) 2024/1689",
        _EU_RULES,
        max_stop_minutes=10,
    ),
}


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[ProfileName(name)]
    except ValueError:
        known = ", ".join(p.value for p in ProfileName)
        raise PolicyViolationError(f"unknown profile {name!r}: one of {known}") from None


class RuleRefusalError(PolicyViolationError):
    """A refusal caused by a profile's rule; its message names the rule's source."""

    def __init__(self, rule: Rule, detail: str) -> None:
        super().__init__(f"{detail} [{rule.source}: {rule.says}]")
        self.rule = rule
        self.detail = detail
