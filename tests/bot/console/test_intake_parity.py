"""The chat's complaint form and the console's intake page write one draft model
(bot/complaints/draft.py): the same bad input gets the same verdict, the same good input is stored
the same way."""

import pytest

from bot.complaints.dialogue import ComplaintIntake
from bot.complaints.draft import TABLE
from bot.complaints.service import ComplaintService
from tests.factories import StoreBuilder

REGISTERED_NAME = "嵊泗县华利水产有限公司"


@pytest.fixture
def service(store_url, console_settings):
    return ComplaintService(store_url, clock=console_settings.today)


@pytest.fixture
def registered(store_url):
    """The one registered firm "华利水产" matches: (its name, its credit code)."""
    return REGISTERED_NAME, StoreBuilder(store_url).firm(name=REGISTERED_NAME)


def chat_answer(service, field, text):
    """The chat's form asked `field`, the complainant answered `text`: the messages and the draft."""
    intake = ComplaintIntake(service)
    key = f"chat-{field}"
    step = intake.take(key, text, "inform", field)
    return step, service.load_draft(key)


async def console_submit(client, **boxes):
    page = await (await client.get("/intake")).text()
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {"csrf": client.csrf, "key": key, "kind": "complaint", "name": "王大力", "phone": "13912345678"}
    form.setdefault("firm_name", "某某建材有限公司")
    form.update(boxes)
    response = await client.post("/intake", data=form)
    return response, await response.text()


@pytest.mark.parametrize("workers", ["0", "100001"])
async def test_a_headcount_out_of_range_is_refused_by_both(make_client, service, store_url, workers):
    step, draft = chat_answer(service, "workers", workers)
    assert step.messages == [TABLE["workers"].out_of_range] and draft.workers is None
    client = await make_client("李坐席")
    response, page = await console_submit(client, workers=workers)
    assert response.status == 400 and "涉及人数：请填 1 到 100000 之间的整数" in page
    assert ComplaintService(store_url).count() == 0


async def test_the_largest_headcount_is_taken_by_both(make_client, service, store_url):
    _, draft = chat_answer(service, "workers", "100000")
    client = await make_client("李坐席")
    response, _ = await console_submit(client, workers="100000")
    ticket = ComplaintService(store_url).get(response.url.path.rsplit("/", 1)[1])
    assert draft.workers == ticket.workers == 100000


async def test_an_amount_out_of_range_is_refused_by_both(make_client, service, store_url):
    step, draft = chat_answer(service, "amount", "欠我99999999元")
    assert step.messages == [TABLE["amount"].out_of_range] and draft.amount_yuan is None
    client = await make_client("李坐席")
    response, page = await console_submit(client, amount="欠我99999999元")
    assert response.status == 400 and "欠薪金额：不在合理范围内（1元至1000万元）" in page
    assert ComplaintService(store_url).count() == 0


@pytest.mark.parametrize("typed, known", [("华利水产", True), ("嵊泗某某建材有限公司", False)])
async def test_a_firm_is_matched_the_same_way_by_both(make_client, service, store_url, registered, typed, known):
    stored = registered if known else (typed, None)  # an unknown firm: kept as typed, no code
    _, draft = chat_answer(service, "employer", typed)
    client = await make_client("李坐席")
    response, _ = await console_submit(client, firm_name=typed)
    ticket = ComplaintService(store_url).get(response.url.path.rsplit("/", 1)[1])
    assert (draft.firm_name, draft.firm_credit_code) == (ticket.firm_name, ticket.firm_credit_code) == stored


async def test_over_long_boxes_are_cut_to_the_draft_limits(make_client, store_url):
    client = await make_client("李坐席")
    response, _ = await console_submit(
        client, firm_name="某" * 300, work_site="码头" * 150, description="老板跑了" * 800
    )
    ticket = ComplaintService(store_url).get(response.url.path.rsplit("/", 1)[1])
    assert len(ticket.firm_name) == TABLE["employer"].limit
    assert len(ticket.work_site) == TABLE["site"].limit
    assert len(ticket.description) == TABLE["description"].limit
