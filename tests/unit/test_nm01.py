"""How a case counts for NM01(b) (policy 4.2, 4.3, 5.4; the regulator's TSM definition)."""

from __future__ import annotations

import pytest

from domain.nm01 import HateMeasure, hate_measure


@pytest.mark.parametrize(
    ("strands", "disputed", "measure"),
    [
        (["race"], False, HateMeasure.MONITORED),
        (["age", "transgender_identity"], False, HateMeasure.MONITORED),
        (["religion_or_belief", "sexual_orientation", "disability"], False, HateMeasure.MONITORED),
        (["age"], False, HateMeasure.OTHER_CHARACTERISTIC),
        (["sex_or_gender", "other"], False, HateMeasure.OTHER_CHARACTERISTIC),
        ([], False, HateMeasure.OTHER_CHARACTERISTIC),
        (["race"], True, HateMeasure.DISPUTED),
        (["age"], True, HateMeasure.DISPUTED),
    ],
)
def test_only_an_undisputed_case_with_a_monitored_strand_counts_in_nm01(
    strands: list[str], disputed: bool, measure: HateMeasure
) -> None:
    assert hate_measure(strands, disputed) == measure
