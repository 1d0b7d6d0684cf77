"""bot/policy/audience.py: whom a measure is for, read from the policy data."""

import dataclasses

import pytest

from bot.policy.audience import audience, audience_of_topic, for_audience
from tests.conftest import all_notices_book

BOOK = all_notices_book()
NOTICES = [pytest.param(n, id=n.key) for n in BOOK.notices]


@pytest.mark.parametrize("notice", NOTICES)
def test_the_eligibility_subject_decides_the_audience(notice):
    for benefit in notice.benefits:
        subject = (benefit.eligibility or {}).get("subject")
        if subject:
            assert audience(benefit) == {"person": "worker", "firm": "employer"}[subject], benefit.key


def test_without_a_subject_the_who_line_decides():
    benefit = next(b for n in BOOK.notices for b in n.benefits if b.eligibility is None and b.who)
    assert audience(dataclasses.replace(benefit, who="企业职工")) == "employer"
    assert audience(dataclasses.replace(benefit, who="外来务工人员")) == "worker"
    assert audience(dataclasses.replace(benefit, who="全体居民")) == ""


@pytest.mark.parametrize("notice", NOTICES)
def test_workers_measures_come_amounts_first_and_employers_get_their_own(notice):
    workers = for_audience(notice, employer=False)
    assert all(audience(b) == "worker" for b in workers)
    assert [b.amount is None for b in workers] == sorted(b.amount is None for b in workers)
    employers = for_audience(notice, employer=True)
    assert all(audience(b) == "employer" or b.eligibility.get("employer_summary") for b in employers)


def test_a_topic_is_an_employer_topic_only_when_every_measure_on_it_is_for_employers():
    assert audience_of_topic(BOOK, "recruitment_reward") == "employer"
    assert audience_of_topic(BOOK, "consumption_voucher") == "worker"
    # the firms' bus subsidy and the workers' travel aid share the topic: mixed, read as the workers'
    assert audience_of_topic(BOOK, "bus_subsidy") == "worker"
