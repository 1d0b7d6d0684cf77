"""A new county's notice, added as a file, answered end to end over REST (issue 22).

The fictional county 云屿县 (tests/fixtures/policies/yunyu_2023_1.yml, TEST DATA) is loaded next to
the real notices through BOT_EXTRA_POLICY_DIRS by both servers, and its conversations
(tests/fixtures/conversations/yunyu.yml: amount, who, conditions, the voucher window against today,
the bus-subsidy cap and head count, the overview, "那云屿呢" after 嵊泗, and 舟山, a city name the
two notices now share) are run against the real stack with the model `make train` built.

That model was trained WITHOUT the fixture: no training example and no NLU pattern knows 云屿. So
this checks more than "add a file, retrain, run": a place, its measures and its figures are read
from the policy data when the bot answers, and the classifier's guess about an unknown place name
does not decide the answer.
"""

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, trained_model
from tests.conversations.runner import load_suite, run_by_date

pytestmark = pytest.mark.server

FIXTURE_POLICIES = REPO_ROOT / "tests/fixtures/policies"
FIXTURE_CONVERSATIONS = REPO_ROOT / "tests/fixtures/conversations"
CONVERSATIONS = load_suite(FIXTURE_CONVERSATIONS)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from tests.conversations.stack import live_stack

    env = {"BOT_EXTRA_POLICY_DIRS": str(FIXTURE_POLICIES)}
    first = min(c.today for c in CONVERSATIONS)
    with live_stack(
        model=trained_model(), logs=tmp_path_factory.mktemp("fixture-notice"), today=first, extra_env=env
    ) as stack:
        return {r.id: r for r in run_by_date(CONVERSATIONS, stack)}


def test_the_fixture_suite_covers_what_issue_22_measures():
    ids = {c.id for c in CONVERSATIONS}
    assert len(CONVERSATIONS) >= 6
    for what in ("amount", "voucher-window", "bus-cap", "overview", "that-county", "shared-city"):
        assert any(what in i for i in ids), f"no fixture conversation about {what}: {sorted(ids)}"
    assert Path(FIXTURE_POLICIES / "yunyu_2023_1.yml").read_text(encoding="utf-8").lstrip().startswith("# TEST DATA")


@pytest.mark.parametrize("conversation_id", [c.id for c in CONVERSATIONS])
def test_fixture_conversation(results, conversation_id):
    result = results[conversation_id]
    if not result.passed:
        pytest.fail(result.describe_failure(), pytrace=False)
