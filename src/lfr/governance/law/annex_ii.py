"""EU AI Act Art. 5(1)(h): the three permitted objectives of real-time remote biometric
identification, and Annex II's closed list of the 16 offence types objective (iii) may serve."""

from __future__ import annotations

from lfr.errors import PolicyViolationError

OBJECTIVES: dict[str, str] = {
    "i": "targeted search for specific victims of abduction, trafficking or sexual"
    " exploitation, or for missing persons",
    "ii": "preventing a specific, substantial and imminent threat to life or physical safety,"
    " or a genuine threat of a terrorist attack",
    "iii": "locating or identifying a suspect of an Annex II offence punishable by at least"
    " four years",
}
SUSPECT_OBJECTIVE = "iii"
MIN_SENTENCE_YEARS = 4.0
"""Art. 5(1)(h)(iii): a custodial sentence of a maximum of at least four years."""

ANNEX_II_OFFENCES: tuple[str, ...] = (
    "terrorism",
    "trafficking in human beings",
    "sexual exploitation of children, and child pornography",
    "illicit trafficking in narcotic drugs or psychotropic substances",
    "illicit trafficking in weapons, munitions or explosives",
    "murder, grievous bodily injury",
    "illicit trade in human organs or tissue",
    "illicit trafficking in nuclear or radioactive materials",
    "kidnapping, illegal restraint or hostage-taking",
    "crimes within the jurisdiction of the International Criminal Court",
    "unlawful seizure of aircraft or ships",
    "rape",
    "environmental crime",
    "organised or armed robbery",
    "sabotage",
    "participation in a criminal organisation involved in one or more of the offences above",
)


def checked_objective(objective: str | None) -> str | None:
    """``objective`` if it is one of Art. 5(1)(h)'s (or None); refused otherwise."""
    if objective is None or objective in OBJECTIVES:
        return objective
    raise PolicyViolationError(f"unknown objective {objective!r}: one of i, ii, iii")


def checked_offence(offence: str | None) -> str | None:
    """``offence`` as written in Annex II (or None); anything off the closed list is refused."""
    if offence is None:
        return None
    if offence not in ANNEX_II_OFFENCES:
        raise PolicyViolationError(
            f"{offence!r} is not an Annex II offence type; one of: " + "; ".join(ANNEX_II_OFFENCES)
        )
    return offence
