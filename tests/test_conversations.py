"""The multi-turn conversation suite (tests/conversations/*.yml) against the real stack: one run of
every conversation, date group by date group (tests/conversations/stack.py), then one test per
conversation. Conversations listed in tests/conversations/known_gaps.txt are xfail.

`make eval-dialogue` runs the same suite and prints success rates instead.
"""

import pytest

from tests.conftest import trained_model
from tests.conversations.runner import DATES, WHO, SuiteError, load_known_gaps, load_suite, run_by_date

pytestmark = pytest.mark.server

try:
    CONVERSATIONS = load_suite()
    SUITE_ERROR = None
except SuiteError as exc:
    CONVERSATIONS, SUITE_ERROR = [], exc
KNOWN_GAPS = load_known_gaps()


def _param(conversation):
    marks = ()
    if conversation.id in KNOWN_GAPS:
        marks = pytest.mark.xfail(strict=False, reason=f"known gap: {KNOWN_GAPS[conversation.id]}")
    return pytest.param(conversation.id, marks=marks, id=conversation.id)


@pytest.fixture(scope="module")
def suite_results(request, tmp_path_factory):
    """One run of every selected conversation (all of them, or those `-k` kept)."""
    from tests.conversations.stack import live_stack

    selected = {
        item.callspec.params["conversation_id"]
        for item in request.session.items
        if hasattr(item, "callspec") and "conversation_id" in item.callspec.params
    }
    conversations = [c for c in CONVERSATIONS if c.id in selected]
    if not conversations:
        pytest.skip("no valid conversations")
    model = trained_model()
    first = min(c.today for c in conversations)
    with live_stack(model=model, logs=tmp_path_factory.mktemp("conversations"), today=first) as stack:
        results = run_by_date(conversations, stack)
    return {result.id: result for result in results}


def test_suite_files_are_valid():
    assert SUITE_ERROR is None, str(SUITE_ERROR)


def test_suite_covers_enough():
    """≥150 conversations, ≥5 kinds of user, all three dates."""
    assert SUITE_ERROR is None, str(SUITE_ERROR)
    who = {c.who for c in CONVERSATIONS}
    dates = {c.today for c in CONVERSATIONS}
    count = len(CONVERSATIONS)
    assert count >= 150, f"only {count} conversations"
    assert len(who) >= 5, f"only these `who`: {sorted(who)} (of {WHO})"
    assert dates == set(DATES), f"missing dates: {sorted(set(DATES) - dates)}"


def test_known_gaps_name_real_conversations():
    ids = {c.id for c in CONVERSATIONS}
    unknown = sorted(set(KNOWN_GAPS) - ids)
    assert not unknown, f"known_gaps.txt names conversations that do not exist: {unknown}"


@pytest.mark.parametrize("conversation_id", [_param(c) for c in CONVERSATIONS])
def test_conversation(suite_results, conversation_id):
    result = suite_results[conversation_id]
    if not result.passed:
        pytest.fail(result.describe_failure(), pytrace=False)
