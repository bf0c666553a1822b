"""`caredesk report` figures: hand-computed cases and the real sample against an independent count."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from caredesk.importers.twcs import import_twcs
from caredesk.ingest.pipeline import Ingestor
from caredesk.reporting.report import workspace_report
from tests.conftest import SAMPLE, SHARED
from tests.factories import brand_post, customer_post
from tests.twcs_reference import reference_report


def test_figures_on_a_hand_computed_case(engine: Engine, ingestor: Ingestor, workspace: int) -> None:
    ingestor.ingest(
        [
            # acme_help, answered twice: first response 10 min, 2 responses
            customer_post("a1", to=None, minutes=0),
            brand_post("a2", reply_to="a1", minutes=10),
            customer_post("a3", reply_to="a2", minutes=20),
            brand_post("a4", reply_to="a3", minutes=30),
            # acme_help, answered once after an hour
            customer_post("b1", by="c2", to=None, minutes=0),
            brand_post("b2", reply_to="b1", minutes=60),
            # never answered: no brand account knows it yet
            customer_post("c1", by="c3", to=None, minutes=0),
            # started by the brand: not a customer-started conversation
            brand_post("d1", brand="acme_shop", minutes=0),
            customer_post("d2", reply_to="d1", minutes=5),
            brand_post("d3", brand="acme_shop", reply_to="d2", minutes=6),
            # acme_shop, answered in two minutes
            customer_post("e1", by="c4", to=None, minutes=0),
            brand_post("e2", brand="acme_shop", reply_to="e1", minutes=2),
        ]
    )
    assert workspace_report(engine, workspace) == {
        "brands": {
            "acme_help": {
                "conversations": 2,
                "answered": 2,
                "median_first_response_s": (600 + 3600) / 2,
                "mean_responses_per_interaction": 1.5,
            },
            "acme_shop": {
                "conversations": 1,
                "answered": 1,
                "median_first_response_s": 120.0,
                "mean_responses_per_interaction": 1.0,
            },
        },
        "unrouted": {
            "conversations": 1,
            "answered": 0,
            "median_first_response_s": None,
            "mean_responses_per_interaction": None,
        },
    }


@pytest.mark.parametrize("batch_size", [5_000, 7])
def test_the_sample_report_equals_an_independent_computation(
    engine: Engine, ingestor: Ingestor, workspace: int, batch_size: int
) -> None:
    """Batches of 7 put replies and parents in different transactions: threading must merge."""
    import_twcs(ingestor, SAMPLE, batch_size=batch_size)
    report = workspace_report(engine, workspace)
    expected = reference_report(SAMPLE)
    unrouted = expected.pop("(unrouted)", None)
    assert report["unrouted"] == unrouted
    assert report["brands"].keys() == expected.keys()
    for brand, figures in expected.items():
        assert report["brands"][brand] == pytest.approx(figures), brand
    assert sum(f["conversations"] for f in report["brands"].values()) == 1_288


def test_a_sample_with_broken_threads_matches_too(engine: Engine, ingestor: Ingestor, workspace: int) -> None:
    path = SHARED / "data" / "twcs" / "twcs_random5000.csv"
    if not path.exists():
        pytest.skip("shared data not beside the project")
    import_twcs(ingestor, path, batch_size=500)
    report = workspace_report(engine, workspace)
    expected = reference_report(path)
    assert report["unrouted"] == pytest.approx(expected.pop("(unrouted)"))
    assert report["brands"].keys() == expected.keys()
    for brand, figures in expected.items():
        assert report["brands"][brand] == pytest.approx(figures), brand
