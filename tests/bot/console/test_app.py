"""Access control of every console route, CSRF, log-in rate limiting and the intake/queue flow,
through aiohttp's test client against the real application and store."""

import re

import pytest
from sqlalchemy import select, update

from bot.complaints.service import ComplaintService
from bot.console.app import create_app
from bot.console.security import SESSION_COOKIE
from bot.console.settings import Settings
from bot.console.staff import MAX_FAILURES, StaffService
from bot.store.db import session_scope
from bot.store.models import AuditEntry, Ticket
from tests.bot.console.conftest import PASSWORDS, csrf_of, login

GET_PAGES = [
    "/copilot",
    "/lookup",
    "/intake",
    "/intake?kind=callback",
    "/queue",
    "/policies",
    "/review",
    "/dashboard",
    "/tickets/QX-20230120-0001",
    "/api/clauses/shengsi_2022_35/6",
]
POSTS = [
    "/logout",
    "/api/copilot",
    "/lookup",
    "/lookup/reveal",
    "/intake",
    "/intake/prefill",
    "/tickets/QX-20230120-0001/update",
    "/tickets/QX-20230120-0001/reveal",
    "/tickets/QX-20230120-0001/code",
    "/tickets/QX-20230120-0001/unlock",
    "/review/1",
]
SUPERVISOR_POSTS = [
    "/lookup/reveal",
    "/tickets/QX-20230120-0001/reveal",
    "/tickets/QX-20230120-0001/unlock",
    "/review/1",
]


def audit_actions(store_url, action):
    with session_scope(store_url) as session:
        return session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


NUMBER = "QX-20230120-0001"  # the paths above name it


def file_ticket(store_url, **fields):
    """A ticket filed in the chat, renumbered NUMBER (numbers are random) so the paths above find it."""
    from bot.complaints.service import Draft

    draft = Draft(name="王大力", phone="13912345678", firm_name="某水产公司", **fields)
    ticket, _ = ComplaintService(store_url).file("test-key-1", draft)
    with session_scope(store_url) as session:
        session.execute(update(Ticket).where(Ticket.number == ticket.number).values(number=NUMBER))
    return ComplaintService(store_url).get(NUMBER)


# ---- without a session -------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_PAGES + ["/audit", "/"])
async def test_every_page_needs_a_login(make_client, path):
    client = await make_client()
    response = await client.get(path, allow_redirects=False)
    if path.startswith("/api/"):
        assert response.status == 401
        assert (await response.json())["error"] == "请先登录"
    else:
        assert response.status == 303
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", POSTS)
async def test_every_post_needs_a_login(make_client, store_url, path):
    client = await make_client()
    response = await client.post(path, data={"csrf": "x", "text": "x"}, allow_redirects=False)
    assert response.status in (303, 401)
    assert ComplaintService(store_url).count() == 0


async def test_health_and_static_files_are_public(make_client):
    client = await make_client()
    assert (await client.get("/health")).status == 200
    page = await (await client.get("/login")).text()
    script = page.split('<script src="')[1].split('"')[0]
    response = await client.get(script)
    assert response.status == 200 and "api/copilot" in await response.text()


# ---- logging in --------------------------------------------------------------------------------


async def test_login_lands_on_the_page_asked_for_but_never_off_site(make_client):
    client = await make_client()
    response = await login(client, "李坐席", PASSWORDS["李坐席"], next_path="/queue")
    assert response.url.path == "/queue" and "工单队列" in await response.text()
    client2 = await make_client()
    response = await login(client2, "李坐席", PASSWORDS["李坐席"], next_path="//evil.example/x")
    assert response.url.path == "/copilot" and response.url.host == "127.0.0.1"


async def test_wrong_password_and_unknown_name_get_the_same_answer(make_client):
    client = await make_client()
    wrong = await login(client, "李坐席", "not-the-password")
    unknown = await login(client, "没有这个人", "whatever-pass")
    for response in (wrong, unknown):
        assert response.status == 401
        assert "账号或密码错误" in await response.text()
    assert SESSION_COOKIE not in {c.key for c in client.session.cookie_jar}


async def test_login_without_its_csrf_token_is_refused(make_client):
    client = await make_client()
    response = await client.post("/login", data={"name": "李坐席", "password": PASSWORDS["李坐席"]})
    assert response.status == 403
    assert "CSRF" in await response.text()


async def test_repeated_failures_lock_the_account_even_for_the_right_password(make_client, store_url):
    client = await make_client()
    for _ in range(MAX_FAILURES):
        assert (await login(client, "李坐席", "bad-password")).status == 401
    locked = await login(client, "李坐席", PASSWORDS["李坐席"])
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in await locked.text()
    assert len(audit_actions(store_url, "login_failed")) == MAX_FAILURES
    # another account from another address is not locked out by this one
    assert StaffService(store_url).login("王班长", PASSWORDS["王班长"], "10.0.0.2").staff.name == "王班长"


async def test_session_cookie_is_secure_httponly_and_strict_by_default(store_url, tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    StaffService(store_url).add("张三", "agent", "pass-word-1")
    client = TestClient(
        TestServer(
            create_app(
                Settings(
                    store_url=store_url, rasa_url="http://127.0.0.1:9", tracker_url=f"sqlite:///{tmp_path / 't.db'}"
                )
            )
        )
    )
    await client.start_server()
    try:
        form = await client.get("/login")
        login_cookie = form.cookies["console_login_csrf"]
        assert login_cookie["secure"] and login_cookie["httponly"] and login_cookie["samesite"] == "Strict"
        # the test client, like a browser, keeps Secure cookies off plain http: send it by hand
        response = await client.post(
            "/login",
            data={"csrf": csrf_of(await form.text()), "name": "张三", "password": "pass-word-1"},
            allow_redirects=False,
            headers={"Cookie": f"console_login_csrf={login_cookie.value}"},
        )
        cookie = response.cookies[SESSION_COOKIE]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"
        headers = (await client.get("/login")).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
    finally:
        await client.close()


async def test_logout_ends_the_session_on_the_server(make_client):
    client = await make_client("李坐席")
    token = next(c.value for c in client.session.cookie_jar if c.key == SESSION_COOKIE)
    response = await client.post("/logout", data={"csrf": client.csrf})
    assert response.url.path == "/login"
    other = await make_client()
    other.session.cookie_jar.update_cookies({SESSION_COOKIE: token})
    assert (await other.get("/queue", allow_redirects=False)).status == 303


# ---- roles and CSRF ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_PAGES)
async def test_agent_can_open_every_page(make_client, store_url, path):
    file_ticket(store_url)
    client = await make_client("李坐席")
    response = await client.get(path)
    assert response.status == 200, await response.text()


async def test_audit_log_is_for_supervisors_only(make_client, store_url):
    agent = await make_client("李坐席")
    response = await agent.get("/audit")
    assert response.status == 403 and "班长" in await response.text()
    supervisor = await make_client("王班长")
    page = await (await supervisor.get("/audit")).text()
    assert "login" in page and "李坐席" in page  # the agent's log-in is in the log
    assert len(audit_actions(store_url, "denied")) == 1


@pytest.mark.parametrize("path", SUPERVISOR_POSTS)
async def test_agent_is_refused_supervisor_actions_and_it_is_audited(make_client, store_url, path):
    file_ticket(store_url)
    client = await make_client("李坐席")
    response = await client.post(path, data={"csrf": client.csrf, "ref": "x", "label": "greet"})
    assert response.status == 403
    denied = audit_actions(store_url, "denied")
    assert [(d.staff, d.subject) for d in denied] == [("李坐席", path)]


@pytest.mark.parametrize("path", [p for p in POSTS if p != "/api/copilot"])
async def test_posts_without_the_session_csrf_token_are_refused(make_client, store_url, path):
    file_ticket(store_url)
    client = await make_client("王班长")
    for data in ({"note": "x", "status": "处理中"}, {"csrf": "forged", "note": "x", "status": "处理中"}):
        response = await client.post(path, data=data)
        assert response.status == 403
        assert "CSRF" in await response.text()
    assert ComplaintService(store_url).get("QX-20230120-0001").status == "已受理"
    assert (await client.get("/queue")).status == 200  # still logged in: only the POST was refused


async def test_json_api_needs_the_csrf_header(make_client):
    client = await make_client("李坐席")
    response = await client.post("/api/copilot", json={"text": "留工补助"})
    assert response.status == 403
    response = await client.post("/api/copilot", json={"text": "留工补助"}, headers={"X-CSRF-Token": client.csrf})
    assert response.status == 503  # past the checks; Rasa is not running in this test
    assert "对话引擎" in (await response.json())["error"]
    response = await client.post("/api/copilot", json={"text": ""}, headers={"X-CSRF-Token": client.csrf})
    assert response.status == 400 and (await response.json())["error"] == "请输入来电人说的话"


# ---- intake, queue and ticket lifecycle ----------------------------------------------------------


async def test_prefill_keeps_the_full_phone_off_the_page_and_files_once(make_client, store_url):
    client = await make_client("李坐席")
    text = "我叫王大力，电话13912345678，嵊泗海鲜加工厂欠我工资一万二，我们12个人回不了家"
    page = await (await client.post("/intake/prefill", data={"csrf": client.csrf, "text": text})).text()
    assert "13912345678" not in page and "139****5678" in page
    assert 'value="王大力"' in page and 'value="12"' in page
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {
        "csrf": client.csrf,
        "key": key,
        "kind": "complaint",
        "name": "王大力",
        "phone": "",
        "firm_name": "嵊泗海鲜加工厂",
        "workers": "12",
        "cannot_go_home": "1",
        "description": "老板跑了",
    }
    first = await client.post("/intake", data=form)
    again = await client.post("/intake", data=form)  # a double click
    assert first.url.path == again.url.path and first.url.path.startswith("/tickets/QX-20230120-")
    ticket = ComplaintService(store_url).get(first.url.path.rsplit("/", 1)[1])
    assert ticket.phone == "13912345678" and ticket.urgent and ticket.channel == "console"
    assert ComplaintService(store_url).count() == 1
    assert [e.staff for e in ticket.events] == ["系统", "李坐席"]


async def test_intake_errors_are_explained_in_chinese_and_file_nothing(make_client, store_url):
    client = await make_client("李坐席")
    page = await (await client.get("/intake")).text()
    key = page.split('name="key" value="')[1].split('"')[0]
    response = await client.post(
        "/intake",
        data={
            "csrf": client.csrf,
            "key": key,
            "kind": "complaint",
            "name": "",
            "phone": "1391234",
            "workers": "很多",
            "amount": "不知道多少",
        },
    )
    text = await response.text()
    assert response.status == 400
    for message in ("姓名：必填", "欠薪单位：必填", "涉及人数", "欠薪金额"):
        assert message in text
    assert "1391234" not in text.split("<form")[1]  # the typed phone is not echoed back
    huge = await client.post(
        "/intake",
        data={
            "csrf": client.csrf,
            "key": key,
            "kind": "complaint",
            "name": "王大力",
            "phone": "13912345678",
            "firm_name": "嵊泗海鲜加工厂",
            "workers": "9" * 5000,
            "amount": "9" * 40 + "元",
        },
    )
    text = await huge.text()  # figures no one means: the range, never HTTP 500
    assert huge.status == 400 and "涉及人数：请填 1 到 100000 之间的整数" in text and "（1元至1000万元）" in text
    assert ComplaintService(store_url).count() == 0
    forged = await client.post("/intake", data={"csrf": client.csrf, "key": "../../x", "kind": "complaint"})
    assert forged.status == 400 and "登记表已失效" in await forged.text()


async def test_callback_request_is_logged_from_the_console(make_client, store_url):
    client = await make_client("李坐席")
    page = await (await client.get("/intake?kind=callback")).text()
    key = page.split('name="key" value="')[1].split('"')[0]
    response = await client.post(
        "/intake",
        data={"csrf": client.csrf, "key": key, "kind": "callback", "phone": "13800001111", "callback_time": "明天上午"},
    )
    assert response.url.path.startswith("/tickets/HD-20230120-")
    assert "138****1111" in await response.text()


async def test_queue_filters_and_pages(make_client, store_url):
    from bot.complaints.service import Draft

    service = ComplaintService(store_url)
    numbers = [
        service.file(
            f"k{i}",
            Draft(
                name="甲", phone="13900000000", firm_name="甲公司" if i % 2 else "乙公司", workers=12 if i == 3 else 1
            ),
        )[0].number
        for i in range(25)
    ]
    client = await make_client("李坐席")
    page = await (await client.get("/queue")).text()
    assert "共 25 件" in page and "第 1 / 2 页" in page and page.count("/tickets/QX-") == 20
    page = await (await client.get("/queue?urgent=1")).text()
    assert "共 1 件" in page and numbers[3] in page
    page = await (await client.get("/queue?firm=乙公司")).text()
    assert "共 13 件" in page and "第 1 / 1 页" in page
    page = await (await client.get("/queue?page=2")).text()
    assert "第 2 / 2 页" in page and page.count("/tickets/QX-") == 5 and numbers[0] in page
    page = await (await client.get("/queue?since=2023-13-01")).text()
    assert "起始日期须为 YYYY-MM-DD 格式" in page


async def test_status_change_with_note_is_what_the_complainant_then_sees(make_client, store_url):
    file_ticket(store_url)
    code = ComplaintService(store_url).reset_code(NUMBER, "李坐席")
    client = await make_client("李坐席")
    response = await client.post(
        "/tickets/QX-20230120-0001/update", data={"csrf": client.csrf, "status": "处理中", "note": "已联系企业"}
    )
    assert "处理中" in await response.text()
    answer = ComplaintService(store_url).status_for("QX-20230120-0001", code, "caller").answer
    assert (answer.status, answer.latest_note) == ("处理中", "已联系企业")
    bad = await client.post("/tickets/QX-20230120-0001/update", data={"csrf": client.csrf, "status": "已受理"})
    assert bad.status == 400 and "不能改为「已受理」" in await bad.text()


async def test_supervisor_reveals_a_phone_and_it_is_audited(make_client, store_url):
    file_ticket(store_url)
    agent = await make_client("李坐席")
    assert "13912345678" not in await (await agent.get("/tickets/QX-20230120-0001")).text()
    supervisor = await make_client("王班长")
    page = await (await supervisor.post("/tickets/QX-20230120-0001/reveal", data={"csrf": supervisor.csrf})).text()
    assert "13912345678" in page
    [entry] = audit_actions(store_url, "reveal_phone")
    assert entry.staff == "王班长" and "13912345678" not in (entry.detail or "") + (entry.subject or "")


async def test_policy_browser_searches_clauses_with_their_benefits(make_client):
    client = await make_client("李坐席")
    page = await (await client.get("/policies?q=留工补助")).text()
    assert "嵊人社发〔2022〕35号" in page and "据此的措施" in page
    everything = await (await client.get("/policies")).text()
    assert everything.count('class="clause"') > page.count('class="clause"') > 0
    clause = await (await client.get("/api/clauses/shengsi_2022_35/1")).json()
    assert clause["notice"] == "嵊人社发〔2022〕35号" and clause["text"]
    assert (await client.get("/api/clauses/shengsi_2022_35/999")).status == 404


# ---- review and dashboard, from conversations saved the way Rasa saves them ----------------------


async def save_conversation(tracker_url, sender, turns):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import MaskingTrackerStore

    store = MaskingTrackerStore(Domain.empty(), url=tracker_url)
    tracker = DialogueStateTracker(sender, [])
    for text, intent, confidence, ranking in turns:
        tracker.update(
            UserUttered(
                text,
                {"name": intent, "confidence": confidence},
                parse_data={"intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]},
            )
        )
    await store.save(tracker)
    store.engine.dispose()


async def test_supervisor_labels_a_fallback_and_it_leaves_the_review_queue(make_client, console_settings, store_url):
    from bot.console.review import ReviewStore

    await save_conversation(
        console_settings.tracker_url,
        "caller-1",
        [
            ("嵊泗留工补助多少钱", "ask_retention_bonus", 0.98, [("ask_retention_bonus", 0.98)]),
            (
                "那个啥我电话13912345678",
                "nlu_fallback",
                0.45,
                [("nlu_fallback", 0.45), ("inform", 0.30), ("greet", 0.2)],
            ),
        ],
    )
    agent = await make_client("李坐席")
    page = await (await agent.get("/review")).text()
    assert "那个啥我电话139****5678" in page and "13912345678" not in page
    assert "嵊泗留工补助多少钱" not in page  # confident turns are not for review
    assert '<form method="post" action="/review/' not in page  # agents only read
    supervisor = await make_client("王班长")
    page = await (await supervisor.get("/review")).text()
    event_id = page.split('action="/review/')[1].split('"')[0]
    response = await supervisor.post(f"/review/{event_id}", data={"csrf": supervisor.csrf, "label": "inform"})
    assert response.status == 200 and "那个啥我电话" not in await response.text()
    assert [(label.text, label.label, label.staff) for label in ReviewStore(store_url).labels()] == [
        ("那个啥我电话139****5678", "inform", "王班长")
    ]
    again = await supervisor.post(f"/review/{event_id}", data={"csrf": supervisor.csrf, "label": "greet"})
    assert again.status == 400 and "已经标注过了" in await again.text()

    dashboard = await (await agent.get("/dashboard")).text()
    assert 'id="fallback-rate">50.0%' in dashboard  # 1 of 2 user messages fell back
    assert "一次性留工补助" in dashboard  # the most-asked measures chart


# ---- 查询码 and self-service locks ---------------------------------------------------------------


def wrong_codes(store_url, number, code, senders=5):
    service = ComplaintService(store_url)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    return [service.status_for(number, wrong, f"sender-{i}") for i in range(senders)]


async def test_the_console_never_shows_a_code_it_did_not_just_issue(make_client, store_url):
    ticket = file_ticket(store_url)
    _, code = ComplaintService(store_url).receipt_for("test-key-1", NUMBER)  # the chat's receipt had it
    supervisor = await make_client("王班长")
    pages = [await (await supervisor.get(path)).text() for path in ("/queue", f"/tickets/{NUMBER}", "/audit")]
    pages.append(await (await supervisor.post(f"/tickets/{NUMBER}/reveal", data={"csrf": supervisor.csrf})).text())
    assert all(code not in page for page in pages)
    assert '<dd id="ticket-code">已发放' in pages[1] and ticket.phone_masked in pages[1]


async def test_an_agent_issues_a_new_code_once_and_it_is_audited_without_the_code(make_client, store_url):
    file_ticket(store_url)
    agent = await make_client("李坐席")
    page = await (await agent.get(f"/tickets/{NUMBER}")).text()
    assert '<dd id="ticket-code">未发放' in page  # a ticket without a receipt has no code
    issued = await (await agent.post(f"/tickets/{NUMBER}/code", data={"csrf": agent.csrf})).text()
    code = re.search(r'新查询码：<strong class="mono">(\d{6})</strong>', issued).group(1)
    assert ComplaintService(store_url).status_for(NUMBER, code, "caller").answer is not None
    later = await (await agent.get(f"/tickets/{NUMBER}")).text()
    assert code not in later and '<dd id="ticket-code">已发放' in later
    [entry] = audit_actions(store_url, "code_reset")
    assert entry.staff == "李坐席" and entry.subject == NUMBER and code not in (entry.detail or "")
    assert (await agent.post("/tickets/QX-20230121-0001/code", data={"csrf": agent.csrf})).status == 404


async def test_a_locked_ticket_is_flagged_in_the_queue_and_a_supervisor_unlocks_it(make_client, store_url):
    file_ticket(store_url)
    code = ComplaintService(store_url).reset_code(NUMBER, "李坐席")
    assert wrong_codes(store_url, NUMBER, code)[-1].locked
    [entry] = audit_actions(store_url, "status_locked")
    assert (entry.staff, entry.subject) == ("系统", NUMBER)

    agent = await make_client("李坐席")
    queue = await (await agent.get("/queue")).text()
    assert 'id="status-locks"' in queue and "自助查询已锁定" in queue and f'href="/tickets/{NUMBER}"' in queue
    page = await (await agent.get(f"/tickets/{NUMBER}")).text()
    assert 'id="status-lock"' in page and 'id="unlock-status"' not in page  # agents cannot unlock
    refused = await agent.post(f"/tickets/{NUMBER}/unlock", data={"csrf": agent.csrf})
    assert refused.status == 403 and ComplaintService(store_url).locked_tickets()

    supervisor = await make_client("王班长")
    page = await (await supervisor.get(f"/tickets/{NUMBER}")).text()
    assert 'id="unlock-status"' in page
    audit = await (await supervisor.get("/audit?action=status_locked")).text()
    assert NUMBER in audit
    done = await supervisor.post(f"/tickets/{NUMBER}/unlock", data={"csrf": supervisor.csrf})
    assert done.status == 200 and "已解除自助查询锁定" in await done.text()
    assert ComplaintService(store_url).locked_tickets() == []
    assert 'id="status-locks"' not in await (await agent.get("/queue")).text()
    [entry] = audit_actions(store_url, "status_unlocked")
    assert (entry.staff, entry.subject) == ("王班长", NUMBER)
    assert ComplaintService(store_url).status_for(NUMBER, code, "caller").answer is not None
