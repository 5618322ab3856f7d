"""How a case counts for the Regulator of Social Housing's NM01(b) measure (policy 4.2, 4.3,
5.4): one rule, used by the statistics view and its reader.

The definition used is the regulator's, in *Tenant Satisfaction Measures: Technical
Requirements*, NM01 (https://www.gov.uk/government/publications/tenant-satisfaction-measures-
technical-requirements): NM01(b) is the number of anti-social behaviour cases that involve
hate incidents opened in the year, per 1,000 homes owned, where a hate incident is one
"perceived by the victim or any other person to be motivated by hostility or prejudice"
based on race, religion, sexual orientation, disability or transgender identity (each also
as perceived). Those are the Hate Policy's five centrally monitored strands (4.2).

So a case counts in NM01(b) when it has at least one monitored strand (as classified now,
so a reclassification moves it) and is not *disputed*. The rest are reported beside it,
never in it, so nothing is hidden and nothing is over-reported:

- `other_characteristic`: only age, sex or gender, or another characteristic (4.3: hate,
  and handled as hate by the landlord, but outside the regulator's five strands);
- `disputed`: a manager found the victim's definition proven otherwise or unreasonable
  (5.4), so the landlord no longer holds it to be a hate incident; it stays a case, and
  the victim's own view stays on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from domain.vocabulary import MONITORED_STRANDS, Strand

DEFINITION_SOURCE = (
    "https://www.gov.uk/government/publications/tenant-satisfaction-measures-technical-requirements"
)


class HateMeasure(StrEnum):
    """Where a case counts: in NM01(b), or beside it and why."""

    MONITORED = "monitored"
    OTHER_CHARACTERISTIC = "other_characteristic"
    DISPUTED = "disputed"


def hate_measure(strands: Iterable[str], disputed: bool) -> HateMeasure:
    """Where a case with these strands (and this finding under 5.4) counts."""
    if disputed:
        return HateMeasure.DISPUTED
    if any(Strand(s) in MONITORED_STRANDS for s in strands if s in Strand._value2member_map_):
        return HateMeasure.MONITORED
    return HateMeasure.OTHER_CHARACTERISTIC
