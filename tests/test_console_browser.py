"""The staff console in a real browser: headless Chromium driven by Playwright, against the whole
stack running as real processes (action server, Rasa with the trained model, the console), on a
seeded temporary store. Accounts are made with the real `bot staff add` CLI.

Chromium is Debian's (scripts/browser.sh), found by TEST_CHROMIUM or on PATH; nothing is
downloaded by Playwright. Without a chromium executable the module is skipped.

Some tests share one complaint: the one filed from the copilot (test 3) is the one whose status
is changed and then asked for over the chat (test 4); the helper files it if test 3 did not run.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator
from urllib.parse import unquote

import pytest
import requests

from harness.servers import (
    REST_HEADERS,
    action_server_command,
    free_port,
    rasa_command,
    stack_env,
    wait_for,
    write_endpoints,
)
from tests.conftest import REPO_ROOT, trained_model

pytestmark = pytest.mark.server

CHROMIUM = os.environ.get("TEST_CHROMIUM") or shutil.which("chromium")
if not CHROMIUM:
    pytest.skip("no chromium executable (set TEST_CHROMIUM or install it: scripts/browser.sh)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TODAY = "2023-01-20"
PASSWORDS = {"李坐席": "agent-pass-1", "王班长": "super-pass-1"}
AGENT, SUPERVISOR = "李坐席", "王班长"
SESSION_COOKIE = "console_session"
COMPLAINT_TEXT = "我叫王大力，电话13912345678，嵊泗海鲜加工厂欠我三个月工资，我们12个人回不了家"
FULL_PHONE, MASKED_PHONE = "13912345678", "139****5678"
STATUS_NOTE = "已联系企业，三日内答复"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
TICKET_NUMBER = re.compile(r"QX-20230120-\d{4}")

expect.set_options(timeout=20_000)  # the first parses of a freshly started Rasa can be slow


# ---- the stack ------------------------------------------------------------------------------------


class Stack:
    """Addresses of the running servers and the databases behind them."""

    def __init__(self, console: str, rasa: str, rasa_token: str, store_url: str, tracker_url: str):
        self.console, self.rasa, self.rasa_token = console, rasa, rasa_token
        self.store_url, self.tracker_url = store_url, tracker_url

    def chat(self, sender: str, message: str) -> str:
        """One message to the chat over Rasa's REST channel; the bot's replies joined."""
        response = requests.post(
            f"{self.rasa}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=REST_HEADERS,
            timeout=60,
        )
        response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())

    def parse(self, text: str) -> dict:
        """Rasa's NLU result for `text` (the API the console itself calls)."""
        response = requests.post(
            f"{self.rasa}/model/parse", params={"token": self.rasa_token}, json={"text": text}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def query(self, sql: str, **params):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.store_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql), params).all()
        finally:
            engine.dispose()


def _add_staff(name: str, role: str, env: Dict[str, str]) -> None:
    """Through the real CLI, the password on stdin."""
    result = subprocess.run(
        [str(VENV_BIN / "bot"), "staff", "add", name, "--role", role, "--password-stdin"],
        input=PASSWORDS[name] + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已创建账号" in result.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    from bot.store.seed import seed_store

    model = str(trained_model())
    work = tmp_path_factory.mktemp("console-stack")
    action_port, rasa_port, console_port = free_port(), free_port(), free_port()
    token = secrets.token_urlsafe(24)
    store = f"sqlite:///{work / 'store.db'}"
    tracker = f"sqlite:///{work / 'tracker.db'}"  # this stack's histories only, never var/tracker.db
    seed_store(store, people=300, firms=20, progress=False)
    endpoints = write_endpoints(work / "endpoints.yml", action_port)
    env = {
        **stack_env(),
        "BOT_TODAY": TODAY,
        "BOT_DEFAULT_REGION": "",
        "DATABASE_URL": store,
        "BOT_TRACKER_URL": tracker,
    }
    env.pop("CONSOLE_SECURE_COOKIES", None)  # the default: Secure cookies
    _add_staff(SUPERVISOR, "supervisor", env)
    _add_staff(AGENT, "agent", env)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    console_url = f"http://127.0.0.1:{console_port}"
    commands = {
        "actions": action_server_command(action_port),
        "rasa": rasa_command(model, endpoints, rasa_port, "--enable-api", "--auth-token", token),
        "console": [sys.executable, "-m", "bot.console", "--host", "127.0.0.1", "--port", str(console_port)],
    }
    process_env = {"actions": env, "rasa": env, "console": {**env, "RASA_URL": rasa_url, "RASA_TOKEN": token}}
    health = {
        "actions": f"http://127.0.0.1:{action_port}/health",
        "rasa": f"{rasa_url}/",
        "console": f"{console_url}/health",
    }
    processes = {}
    try:
        for name, command in commands.items():
            with open(work / f"{name}.log", "w") as out:
                processes[name] = subprocess.Popen(
                    command, cwd=REPO_ROOT, env=process_env[name], stdout=out, stderr=subprocess.STDOUT
                )
        for name, url in health.items():
            wait_for(url, processes[name], work / f"{name}.log")
        # The console's NLU comes from Rasa's token-protected API: make sure the token is taken.
        assert requests.post(f"{rasa_url}/model/parse", json={"text": "你好"}, timeout=60).status_code == 401
        assert requests.post(f"{rasa_url}/model/parse", params={"token": token}, json={"text": "你好"}, timeout=60).ok
        yield Stack(console_url, rasa_url, token, store, tracker)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# ---- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser, stack):
    """Fresh browser contexts (no cookies shared with other tests), closed after the test."""
    contexts = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=stack.console, locale="zh-CN")
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(context: BrowserContext, name: str) -> Page:
    page = context.new_page()
    page.goto("/login")
    page.locator('input[name="name"]').fill(name)
    page.locator('input[name="password"]').fill(PASSWORDS[name])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/copilot")
    return page


def session_cookie(context: BrowserContext):
    return next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)


def ticket_status(stack: Stack, number: str) -> str:
    return stack.query("SELECT status FROM tickets WHERE number = :n", n=number)[0][0]


@pytest.fixture(scope="module")
def shared(stack) -> Dict[str, str]:
    """What one test leaves for later ones on the same stack: "complaint", the filed ticket's number."""
    return {}


def file_complaint_from_copilot(page: Page, shared: Dict[str, str]) -> str:
    """Copilot → prefilled intake form → ticket page. Returns the ticket number."""
    page.goto("/copilot")
    page.locator("#caller-text").fill(COMPLAINT_TEXT)
    button = page.locator("#next-step-button")
    expect(button).to_be_visible()
    expect(page.locator("#intent")).to_contain_text("complain_wage_arrears")
    button.click()
    page.wait_for_url("**/intake/prefill")
    form = page.locator("#intake-form")
    expect(form.locator('input[name="name"]')).to_have_value("王大力")
    expect(form.locator('input[name="firm_name"]')).to_have_value(re.compile("嵊泗海鲜加工厂"))
    expect(form.locator('input[name="workers"]')).to_have_value("12")
    phone = form.locator('input[name="phone"]')
    expect(phone).to_have_value("")  # the full number stays server-side, in the draft
    expect(phone).to_have_attribute("placeholder", re.compile(re.escape(MASKED_PHONE)))
    assert FULL_PHONE not in page.content()
    form.get_by_role("button", name="提交登记").click()
    page.wait_for_url(re.compile(r"/tickets/QX-20230120-\d{4}\?filed=1$"))
    number = page.locator("#ticket-number").inner_text().strip()
    assert TICKET_NUMBER.fullmatch(number), number
    shared["complaint"] = number
    return number


@pytest.fixture
def complaint(new_context, shared) -> str:
    """The ticket test 3 filed, or a new one filed the same way (when test 3 is not selected)."""
    if "complaint" not in shared:
        file_complaint_from_copilot(log_in(new_context(), AGENT), shared)
    return shared["complaint"]


# ---- 1. logging in and out ------------------------------------------------------------------------


def test_login_wrong_password_and_logout(new_context):
    # A wrong password: the Chinese error, the form again, no session.
    context = new_context()
    page = context.new_page()
    page.goto("/queue")
    page.wait_for_url(re.compile(r"/login\?next=(%2F|/)queue$"))
    page.locator('input[name="name"]').fill(AGENT)
    page.locator('input[name="password"]').fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("p.error")).to_have_text("账号或密码错误")
    assert session_cookie(context) is None

    # Another login page in the same browser (a second tab; Chromium's own /favicon.ico request,
    # redirected to /login, did the same) must not invalidate the form already open.
    context.new_page().goto("/login")

    # The right password, in the first tab: the copilot, with the agent's name in the header; the
    # Secure, HttpOnly, SameSite=Strict cookie is kept by Chromium on http://127.0.0.1 (a potentially
    # trustworthy origin, like https).
    page.locator('input[name="password"]').fill(PASSWORDS[AGENT])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/queue$"))  # where it was going before it had to log in
    page.goto("/copilot")
    expect(page.locator("header .who")).to_contain_text(f"{AGENT}（坐席）")
    expect(page.locator("header nav a[href='/audit']")).to_have_count(0)  # supervisors only
    cookie = session_cookie(context)
    assert cookie is not None and cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # Logging out ends the session: back to the login page, and /queue asks to log in again.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert session_cookie(context) is None
    page.goto("/queue")
    page.wait_for_url(re.compile(r"/login\?next=(%2F|/)queue$"))
    expect(page.get_by_role("heading", name="坐席登录")).to_be_visible()


# ---- 2. the copilot ---------------------------------------------------------------------------------

# Things a caller might mumble; the test uses the first one the current model is unsure about.
VAGUE_MESSAGES = ["嗯嗯那个啥", "我想问一下那个东西", "我想问问那个", "帮我看看这个", "哦"]


def is_unsure(parsed: dict, threshold: float) -> bool:
    """As the console (and the chat's FallbackClassifier) judges it."""
    ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    return parsed["intent"]["name"] == "nlu_fallback" or not ranking or ranking[0]["confidence"] < threshold


def test_copilot_answer_clause_dialog_copy_and_low_confidence(new_context, stack, book):
    from bot.console.copilot import fallback_threshold

    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])  # to read back what was copied
    page = log_in(context, AGENT)
    page.locator("#caller-text").fill("嵊泗的留工补助怎么领？")
    expect(page.locator("#intent")).to_contain_text("一次性留工补助")
    answer = page.locator("#answer")
    expect(answer).to_contain_text("500元")
    expect(answer).to_contain_text("（依据：嵊人社发〔2022〕35号")
    expect(page.locator("#confidence-warning")).to_be_hidden()

    # A clause link opens the dialog with the clause's full text, as in the policy files.
    link = page.locator("#clauses a.clause-ref").first
    expect(link).to_contain_text("嵊人社发〔2022〕35号")
    notice_key, clause_id = [unquote(p) for p in link.get_attribute("href").rsplit("/", 2)[-2:]]
    notice = next(n for n in book.notices if n.key == notice_key)
    clause = notice.clause(clause_id)
    link.click()
    dialog = page.locator("dialog#clause-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#clause-title")).to_contain_text(notice.number)
    assert page.locator("#clause-text").text_content() == clause.text
    dialog.get_by_role("button", name="关闭").click()
    expect(dialog).to_be_hidden()

    # Copy: the button says so, and the clipboard holds the answer.
    page.locator("#copy-answer").click()
    expect(page.locator("#copied")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == answer.text_content()

    # Mumbling: below the fallback threshold, the warning shows. Which vague phrase the model is
    # unsure of depends on the training data, so the first of a few that Rasa itself rates low.
    threshold = fallback_threshold()
    vague = next((text for text in VAGUE_MESSAGES if is_unsure(stack.parse(text), threshold)), None)
    assert vague, f"the model is sure of every one of {VAGUE_MESSAGES}: add a vaguer phrase"
    page.locator("#caller-text").fill(vague)
    warning = page.locator("#confidence-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("置信度低")
    expect(page.locator("#confidence")).to_have_class(re.compile(r"\blow\b"))


# ---- 3. from the copilot to the queue ----------------------------------------------------------------


def test_complaint_from_copilot_to_queue(new_context, stack, shared):
    page = log_in(new_context(), AGENT)
    number = file_complaint_from_copilot(page, shared)
    expect(page.locator("p.ok")).to_contain_text(f"已登记，工单编号 {number}")
    expect(page.locator("h1 .badge.urgent")).to_have_text("紧急")  # 12 workers (≥10), cannot go home
    expect(page.locator("#ticket-status")).to_have_text("已受理")
    expect(page.locator("#ticket-phone")).to_have_text(MASKED_PHONE)
    assert FULL_PHONE not in page.content()
    # The store has the full number (staff call back), the page never showed it.
    assert stack.query("SELECT phone FROM tickets WHERE number = :n", n=number)[0][0] == FULL_PHONE

    page.goto("/queue")
    row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=number))
    expect(row).to_have_count(1)
    expect(row).to_have_class(re.compile(r"\burgent\b"))
    expect(row).to_contain_text("王大力")
    expect(row).to_contain_text(MASKED_PHONE)
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/tickets/{number}")
    expect(page.locator("#ticket-number")).to_have_text(number)


# ---- 4. a status change the complainant sees in the chat -------------------------------------------


def test_status_change_is_what_the_chat_tells_the_complainant(new_context, stack, complaint):
    page = log_in(new_context(), AGENT)
    page.goto(f"/tickets/{complaint}")
    form = page.locator("#update-form")
    form.locator('select[name="status"]').select_option("处理中")
    form.locator('textarea[name="note"]').fill(STATUS_NOTE)
    form.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/tickets/{complaint}")
    expect(page.locator("#ticket-status")).to_have_text("处理中")
    latest = page.locator("#audit-trail tbody tr").filter(has_text=STATUS_NOTE)
    expect(latest).to_have_count(1)
    expect(latest).to_contain_text(AGENT)
    expect(latest).to_contain_text("已受理 → 处理中")

    # Filed on the phone, it has no 查询码 yet: the agent, having checked the caller, issues one; the
    # page shows it this once.
    page.locator("#reset-code").click()
    code = page.locator("#new-code strong").inner_text()
    assert re.fullmatch(r"\d{6}", code)
    page.goto(f"/tickets/{complaint}")
    expect(page.locator("#ticket-code")).to_contain_text("已发放")
    assert code not in page.content()

    # The complainant asks the chat (Rasa's REST channel): number, then the 查询码.
    sender = f"browser-status-{secrets.token_hex(4)}"
    asked = stack.chat(sender, f"查询投诉进度 {complaint}")
    assert "查询码" in asked, asked
    answer = stack.chat(sender, code)
    assert "当前状态：处理中" in answer and STATUS_NOTE in answer, answer
    assert complaint in answer and FULL_PHONE not in answer


# ---- 5. what staff type is shown as text, never run ------------------------------------------------


def test_description_markup_is_shown_as_text(new_context):
    page = log_in(new_context(), AGENT)
    page.goto("/intake")
    form = page.locator("#intake-form")
    form.locator('input[name="name"]').fill("赵小明")
    form.locator('input[name="phone"]').fill("13700001111")
    form.locator('input[name="firm_name"]').fill("嵊泗某建筑公司")
    form.locator('textarea[name="description"]').fill(f"老板不给钱 {XSS}")
    form.get_by_role("button", name="提交登记").click()
    page.wait_for_url(re.compile(r"/tickets/QX-20230120-\d{4}\?filed=1$"))
    description = page.locator("#ticket-description")
    expect(description).to_contain_text("<script>window.__xss=1</script>")
    expect(description).to_contain_text('<img src=x onerror="window.__xss=2">')
    assert description.locator("script, img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.reload()  # and once more, after a fresh load of the stored ticket
    expect(page.locator("#ticket-description")).to_contain_text("<script>")
    assert page.evaluate("typeof window.__xss") == "undefined"


# ---- 6. CSRF ---------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(new_context, stack, complaint):
    context = new_context()
    page = log_in(context, AGENT)
    page.goto(f"/tickets/{complaint}")
    before = page.locator("#ticket-status").inner_text()
    target = sorted(s for s in ("处理中", "已办结", "已转办") if s != before)[0]
    url = f"{stack.console}/tickets/{complaint}/update"

    # The session cookie alone is not enough: no token, or a wrong one → 403, nothing changed.
    for form in (
        {"status": target, "note": "伪造的请求"},
        {"status": target, "note": "伪造的请求", "csrf": "not-the-token"},
    ):
        response = page.request.post(url, form=form, max_redirects=0)
        assert response.status == 403, response.status
        assert "CSRF" in response.text()
    assert ticket_status(stack, complaint) == before
    page.reload()
    expect(page.locator("#ticket-status")).to_have_text(before)
    expect(page.locator("#audit-trail")).not_to_contain_text("伪造的请求")

    # The same request with the page's token goes through (so the 403 was the token's doing).
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(url, form={"status": "", "note": "带令牌的备注", "csrf": token}, max_redirects=0)
    assert response.status == 303
    page.reload()
    expect(page.locator("#audit-trail")).to_contain_text("带令牌的备注")

    # A form on another site, posted by the logged-in browser: the SameSite=Strict session cookie
    # is not sent, so the console answers with its login page and changes nothing.
    attack = (
        f'<form id="f" method="post" action="{url}"><input name="status" value="{target}">'
        '<input name="note" value="跨站请求"></form><script>document.getElementById("f").submit()</script>'
    )
    context.route(
        "http://attacker.test/**",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=attack),
    )
    page.goto("http://attacker.test/")
    page.wait_for_url(f"{stack.console}/login")
    expect(page.get_by_role("heading", name="坐席登录")).to_be_visible()
    assert ticket_status(stack, complaint) == before
    assert not stack.query("SELECT id FROM ticket_events WHERE note LIKE '%跨站请求%'")


# ---- 7. ID numbers: masked for agents, revealed (and audited) for supervisors ----------------------


def test_id_number_masked_for_agents_revealed_and_audited_for_supervisors(new_context, stack):
    from bot.text.mask import mask_id_number

    id_number = stack.query("SELECT id_number FROM persons ORDER BY id_number LIMIT 1")[0][0]
    masked = mask_id_number(id_number)
    assert masked == id_number[:6] + "********" + id_number[-4:]

    def look_up(page: Page) -> None:
        page.goto("/lookup")
        page.locator('input[name="subject"]').fill(id_number)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#report")).to_be_visible()

    # The agent sees the masked number only, and cannot reveal it, not even by posting directly.
    agent = log_in(new_context(), AGENT)
    look_up(agent)
    expect(agent.locator("#subject-id")).to_have_text(masked)
    expect(agent.locator("#reveal")).to_have_count(0)
    assert id_number not in agent.content()
    token = agent.locator('meta[name="csrf-token"]').get_attribute("content")
    refused = agent.request.post(f"{stack.console}/lookup/reveal", form={"csrf": token, "ref": "x"}, max_redirects=0)
    assert refused.status == 403 and "班长" in refused.text()
    assert id_number not in refused.text()
    assert agent.goto("/audit").status == 403  # the audit log is for supervisors too

    # The supervisor can, with a reason; the audit log keeps who, and the masked number only.
    supervisor = log_in(new_context(), SUPERVISOR)
    look_up(supervisor)
    expect(supervisor.locator("#subject-id")).to_have_text(masked)
    supervisor.locator('input[name="reason"]').fill("核对来电人身份")
    supervisor.locator("#reveal").click()
    expect(supervisor.locator("#subject-id")).to_have_text(id_number)
    expect(supervisor.locator("#report .warning")).to_contain_text("已记入审计日志")

    rows = stack.query("SELECT staff, subject, detail FROM audit_log WHERE action = 'reveal_id_number'")
    assert rows == [(SUPERVISOR, masked, "核对来电人身份")]
    everything = stack.query("SELECT staff, action, subject, detail FROM audit_log")
    assert not any(id_number in str(value) for row in everything for value in row)

    supervisor.goto("/audit?action=reveal_id_number")
    entry = supervisor.locator("#audit-log tbody tr").filter(has_text="reveal_id_number")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(SUPERVISOR)
    expect(entry).to_contain_text(masked)
    assert id_number not in supervisor.content()
