"""End to end: the real Rasa server and action server, the trained model, questions in
workers' own words over REST, answers checked for the right figure, citation and date status.

Uses the model `make train` built (models/). BOT_TODAY pins today for both servers. Rasa runs
in two worker processes sharing the conversation locks (bot/lock_store.py).
"""

import re
import subprocess

import pytest
import requests

from harness.servers import (
    REST_HEADERS,
    WECHAT_ENV,
    action_server_command,
    children,
    free_port,
    rasa_command,
    stack_env,
    wait_for,
    write_endpoints,
)
from tests.conftest import REPO_ROOT, trained_model

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    model = str(trained_model())
    logs = tmp_path_factory.mktemp("logs")
    action_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(logs / "endpoints.yml", action_port)
    from bot.store.seed import seed_store

    store = f"sqlite:///{logs / 'store.db'}"
    seed_store(store, people=300, firms=20, progress=False)
    tracker = f"sqlite:///{logs / 'tracker.db'}"  # this server's histories only, never var/tracker.db
    env = {
        **stack_env(),
        "BOT_TODAY": "2023-01-20",
        "BOT_DEFAULT_REGION": "",
        "DATABASE_URL": store,
        "BOT_TRACKER_URL": tracker,
        **WECHAT_ENV,
        # Two Rasa processes, as make run starts on two cores: a conversation's turns land on
        # either, so every multi-turn test below also checks that they share it correctly.
        "SANIC_WORKERS": "2",
    }
    processes = []
    try:
        with open(logs / "actions.log", "w") as out:
            processes.append(
                subprocess.Popen(
                    action_server_command(action_port), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            )
        with open(logs / "rasa.log", "w") as out:
            processes.append(
                subprocess.Popen(
                    rasa_command(model, endpoints, rasa_port),
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for(f"http://127.0.0.1:{action_port}/health", processes[0], logs / "actions.log")
        wait_for(f"http://127.0.0.1:{rasa_port}/", processes[1], logs / "rasa.log")

        def send(sender, message):
            response = requests.post(
                f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=REST_HEADERS,
                timeout=30,
            )
            response.raise_for_status()
            return "\n".join(m.get("text", "") for m in response.json())

        send.store_url = store
        send.tracker_url = tracker
        send.base_url = f"http://127.0.0.1:{rasa_port}"
        send.rasa_pid = processes[1].pid
        yield send
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


SINGLE_QUESTIONS = [
    # (message, every fragment the answer must contain)
    ("嵊泗的留工补助怎么领？", ["500元", "节前代发、节后申领", "（依据：嵊人社发〔2022〕35号 第1条）"]),
    ("嵊泗消費券現在還能用嗎", ["1000元", "正在进行中，截至2023年1月31日", "第6条）"]),
    ("外卖小哥过年留在嵊泗有补贴吗", ["500元", "第3条）"]),
    ("嵊泗流量大礼包送多少G", ["10G", "2023年1月11日", "第8条）"]),
    ("舟山嵊泗公司包车接工人返岗能补多少", ["50%", "10万", "第17条"]),
    ("嵊泗人力资源公司帮企业招工有奖励吗", ["500元", "10万", "第18条）"]),
    ("江苏的稳岗返还和培训补贴咋申请", ["苏人社函〔2021〕21号 五（二）"]),
    ("上海有没有留工补助", ["上海", "12333"]),
    ("你是机器人吗", ["机器人"]),
    ("今天天气怎么样", ["12333"]),
]


@pytest.mark.parametrize("message, fragments", SINGLE_QUESTIONS, ids=[q for q, _ in SINGLE_QUESTIONS])
def test_single_questions(chat, message, fragments):
    answer = chat(f"single-{message}", message)
    for fragment in fragments:
        assert fragment in answer, answer
    assert len(answer.encode("utf-8")) <= 2048 * 2


def test_region_is_answered_for_both_then_remembered_and_switched(chat):
    both = chat("multi-1", "消费券怎么领")
    assert "请问您在" not in both and "第6条" in both and "五（一）" in both
    shengsi = chat("multi-1", "嵊泗")
    assert "1000元" in shengsi and "第6条）" in shengsi
    jiangsu = chat("multi-1", "那江苏呢")
    assert "苏人社函〔2021〕21号" in jiangsu and "五（一）" in jiangsu


def test_follow_up_uses_the_previous_benefit(chat):
    chat("multi-2", "嵊泗留工补助谁能领")
    answer = chat("multi-2", "那怎么领？")
    assert "节前代发、节后申领" in answer and answer.endswith("（依据：嵊人社发〔2022〕35号 第1条）")


def test_answers_never_echo_personal_numbers(chat):
    answer = chat("multi-3", "我叫王大力，电话13912345678，身份证330922199001011234")
    assert "13912345678" not in answer and "330922199001011234" not in answer


def test_eligibility_check_with_consent_a_typo_and_a_real_id(chat):
    assert "同意" in chat("elig-1", "帮我查查我能不能领留工补助")
    assert "18位身份证号" in chat("elig-1", "同意")
    retry = chat("elig-1", "520101199003159013")
    assert "校验位不正确" in retry
    report = chat("elig-1", "520101199003159012")
    assert "✅ 符合条件：一次性留工补助，500元" in report
    assert "（依据：嵊人社发〔2022〕35号 第1条）" in report
    assert "520101********9012" in report and "520101199003159012" not in report


def test_refusing_consent_leads_to_the_self_check(chat):
    chat("elig-2", "我是外地户口，帮我看看我符不符合条件")
    intro = chat("elig-2", "不同意")
    assert "4个问题" in intro and "（1/4）" in intro
    for question in ("（2/4）", "（3/4）", "（4/4）"):
        assert question in chat("elig-2", "是的")
    verdict = chat("elig-2", "是的")
    assert "您符合一次性留工补助的条件" in verdict and verdict.endswith("第1条）")


# ---- wage-arrears complaints, status and callbacks --------------------------------------------


def test_complaint_in_one_message_corrected_confirmed_then_status(chat):
    opened = chat("qx-1", "我叫王大力，电话13912345678，嵊泗某水产公司欠我三个月工资一共一万二")
    assert "工地、项目或地点" in opened  # name, phone, employer and amount are not asked again
    assert "多少人" in chat("qx-1", "在菜园镇的码头上干活")
    read_back = chat("qx-1", "就我1个")
    assert "请核对您的投诉信息" in read_back and "手机号：139****5678" in read_back
    assert "欠薪金额：12000元" in read_back
    corrected = chat("qx-1", "电话写错了，是13987654321")
    assert "已修改：手机号" in corrected and "手机号：139****4321" in corrected
    receipt = chat("qx-1", "确认提交")
    number, code = (
        re.search(r"工单号：(QX-20230120-\d{4})", receipt).group(1),
        re.search(r"查询码：(\d{6})", receipt).group(1),
    )
    assert "139****4321" in receipt and "12333" in receipt and "第22条）" in receipt
    assert "13987654321" not in receipt
    # The ticket of this conversation is known: only its 查询码 is asked; the phone's last four open nothing.
    asked = chat("qx-1", "我的投诉处理得怎么样了")
    assert number in asked and "查询码" in asked
    assert "不是手机尾号" in chat("qx-1", "4321")
    status = chat("qx-1", code)
    assert "当前状态：已受理" in status


def test_status_with_a_wrong_code_reveals_nothing(chat):
    chat("qx-2", "查一下工单QX-20230120-0001")
    answer = chat("qx-2", "111111")
    assert "没有查到" in answer and "已受理" not in answer


def test_cancelled_complaint_files_nothing(chat):
    from bot.complaints.service import ComplaintService

    before = ComplaintService(chat.store_url).count()
    assert "怎么称呼" in chat("qx-3", "老板拖欠我工资，我要投诉")
    assert "手机号" in chat("qx-3", "我叫刘洋")
    assert "已取消" in chat("qx-3", "算了不投诉了")
    assert ComplaintService(chat.store_url).count() == before


def test_asking_for_a_person_books_a_callback(chat):
    offer = chat("hd-1", "转人工")
    assert "12333" in offer and "回电" in offer
    assert "手机号" in chat("hd-1", "需要回电")
    assert "什么时间" in chat("hd-1", "13912345678")
    receipt = chat("hd-1", "明天上午")
    assert re.search(r"HD-20230120-\d{4}", receipt) and "明天上午" in receipt and "139****5678" in receipt
    assert re.search(r"查询码：\d{6}", receipt)


# ---- the WeChat channel on the real Rasa server -------------------------------------------------


def test_wechat_safe_mode_message_answered_by_the_real_bot(chat):
    import time
    import xml.etree.ElementTree as ElementTree

    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.utils import WeChatSigner

    crypto = WeChatCrypto(WECHAT_ENV["WECHAT_TOKEN"], WECHAT_ENV["WECHAT_ENCODING_AES_KEY"], WECHAT_ENV["WECHAT_APPID"])
    timestamp, nonce = str(int(time.time())), "nonce123"
    signer = WeChatSigner()
    signer.add_data(WECHAT_ENV["WECHAT_TOKEN"], timestamp, nonce)
    message = (
        "<xml><ToUserName><![CDATA[gh_live]]></ToUserName><FromUserName><![CDATA[oLiveUser]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[嵊泗的留工补助怎么领？]]></Content><MsgId>9100001</MsgId></xml>"
    )
    envelope = {c.tag: c.text for c in ElementTree.fromstring(crypto.encrypt_message(message, nonce, timestamp))}
    body = (
        f"<xml><ToUserName><![CDATA[gh_live]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    )
    params = {
        "signature": signer.signature,
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": envelope["MsgSignature"],
    }
    url = f"{chat.base_url}/webhooks/wechat/webhook"
    response = requests.post(url, params=params, data=body.encode("utf-8"), timeout=30)
    assert response.status_code == 200
    fields = {c.tag: c.text for c in ElementTree.fromstring(response.text)}
    reply = parse_message(
        crypto.decrypt_message(response.text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
    )
    assert "500元" in reply.content and reply.content.endswith("（依据：嵊人社发〔2022〕35号 第1条）")
    assert (
        requests.post(url, params={**params, "signature": "0" * 40}, data=body.encode("utf-8"), timeout=30).status_code
        == 403
    )


# ---- the tracker store ----------------------------------------------------------------------------


def test_two_workers_answer_one_conversation_a_turn_at_a_time(chat):
    """Eight messages of one conversation sent at once: both worker processes take some, and the
    shared locks make them answer one at a time, so the history keeps every turn, each followed
    by its answer (without them, two workers would save over each other's turns)."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine, text

    assert len(children(chat.rasa_pid)) == 2  # Sanic's two workers
    # Each names its region: they are answered in whatever order the lock hands them out.
    questions = [
        "嵊泗的留工补助怎么领？",
        "嵊泗消费券现在还能用吗",
        "外卖小哥过年留在嵊泗有补贴吗",
        "嵊泗流量大礼包送多少G",
    ] * 2
    with ThreadPoolExecutor(len(questions)) as pool:
        answers = list(pool.map(lambda q: chat("one-conversation", q), questions))
    assert all("依据：嵊人社发〔2022〕35号" in answer for answer in answers), answers
    engine = create_engine(chat.tracker_url)
    with engine.connect() as connection:
        types = (
            connection.execute(text("SELECT type_name FROM events WHERE sender_id = 'one-conversation' ORDER BY id"))
            .scalars()
            .all()
        )
    engine.dispose()
    users = [i for i, t in enumerate(types) if t == "user"]
    assert len(users) == len(questions)
    for this, following in zip(users, users[1:] + [len(types)]):
        assert "bot" in types[this:following]  # answered before the next message was taken


def test_the_history_on_disk_holds_only_masked_numbers(chat):
    """Last in this module: every number the tests above typed has been through the store."""
    from sqlalchemy import create_engine, text

    from bot.console.traffic import review_queue, traffic_stats

    chat("history-1", "我叫王大力，电话13912345678，身份证330922199001011234")
    engine = create_engine(chat.tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events")).all()
    engine.dispose()
    on_disk = "\n".join(data for _, data in rows)
    assert any(sender == "history-1" for sender, _ in rows)
    for typed in ("13912345678", "13987654321", "330922199001011234", "520101199003159012"):
        assert typed not in on_disk
    assert "139****5678" in on_disk and "330922********1234" in on_disk
    # The console reads the same database while the server runs.
    assert traffic_stats(chat.tracker_url).user_messages >= 1
    assert all(turn.confidence < 0.6 or turn.fell_back for turn in review_queue(chat.tracker_url))
