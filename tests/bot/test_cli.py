import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.cli import main
from bot.nlu import report
from tests.conftest import FIXTURE_POLICIES, REPO_ROOT


def test_policies_check(capsys, monkeypatch):
    monkeypatch.delenv("BOT_EXTRA_POLICY_DIRS", raising=False)
    assert main(["policies", "check"]) == 0
    out = capsys.readouterr().out
    assert "嵊人社发〔2022〕35号" in out and "政策数据校验通过" in out
    assert f"读取文件夹：{REPO_ROOT / 'policies'}" in out
    for path in (REPO_ROOT / "policies").glob("*.yml"):
        assert f"{path.name}: " in out


def test_policies_check_names_the_extra_folders_and_their_notices(capsys, monkeypatch):
    monkeypatch.setenv("BOT_EXTRA_POLICY_DIRS", str(FIXTURE_POLICIES))
    assert main(["policies", "check"]) == 0
    out = capsys.readouterr().out
    assert f"读取文件夹：{FIXTURE_POLICIES}（1 个通知文件）" in out
    assert "yunyu_2023_1.yml: 云人社发〔2023〕1号" in out


def test_policies_check_notes_covered_places_in_the_gazetteer(capsys, monkeypatch, tmp_path):
    from bot.nlu import build

    gazetteer = tmp_path / "other_regions.txt"
    gazetteer.write_text("上海\n云屿县\n", encoding="utf-8")
    monkeypatch.setattr(build, "GAZETTEER", gazetteer)
    monkeypatch.setenv("BOT_EXTRA_POLICY_DIRS", str(FIXTURE_POLICIES))
    assert main(["policies", "check"]) == 0
    assert "已覆盖的地区列为“未覆盖地区”：云屿县" in capsys.readouterr().out


def test_policies_new_writes_a_skeleton_that_check_walks_through(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOT_POLICY_DIR", str(tmp_path))
    monkeypatch.delenv("BOT_EXTRA_POLICY_DIRS", raising=False)
    assert main(["policies", "new", "daishan_2023_1"]) == 0
    text = (tmp_path / "daishan_2023_1.yml").read_text(encoding="utf-8")
    assert "key: daishan_2023_1" in text and "shared_aliases" in text and "docs/policy-format.md" in text
    assert main(["policies", "new", "daishan_2023_1"]) == 1  # never overwrites
    assert main(["policies", "new", "Bad-Key"]) == 2
    capsys.readouterr()
    assert main(["policies", "check"]) == 1
    err = capsys.readouterr().err
    for field in ("notice.number", "notice.issuers", "region.key", "benefits[0].topics", "benefits[0].clauses"):
        assert f"daishan_2023_1.yml: {field}:" in err


def test_policies_check_reports_bad_files(tmp_path, monkeypatch, capsys):
    (tmp_path / "bad.yml").write_text("notice: {}\n", encoding="utf-8")
    monkeypatch.setenv("BOT_POLICY_DIR", str(tmp_path))
    assert main(["policies", "check"]) == 1
    assert "bad.yml: notice.key: 缺少必填字段" in capsys.readouterr().err


def test_answer_command(capsys):
    assert main(["answer", "bus_subsidy", "--region", "shengsi", "--today", "2023-02-06"]) == 0
    out = capsys.readouterr().out
    assert "已于2023年2月5日结束" in out and "（依据：嵊人社发〔2022〕35号 第17条）" in out
    assert main(["answer", "free_lunch"]) == 2


def test_nlu_report_table(tmp_path, capsys):
    data = {
        "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 10, "confused_with": {"thank": 1}},
        "thank": {"precision": 0.9, "recall": 1.0, "f1-score": 0.947, "support": 9, "confused_with": {}},
        "accuracy": 0.947,
        "macro avg": {"precision": 0.95, "recall": 0.95, "f1-score": 0.947, "support": 19},
    }
    (tmp_path / "intent_report.json").write_text(json.dumps(data), encoding="utf-8")
    assert report.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| greet | 1.000 | 0.900 | 0.947 | 10 | thank (1) |" in out
    assert "intent macro-F1 = 0.9470" in out
    assert (tmp_path / "intent_table.md").exists()


def test_db_seed_import_and_eligibility_commands(tmp_path, monkeypatch, capsys):
    from bot.store.db import dispose_engines
    from bot.store.seed import write_demo_csv
    from bot.store.seed_examples import EXAMPLES

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    try:
        data = tmp_path / "csv"
        write_demo_csv(data, people=200, firms=20)
        with (data / "persons.csv").open("a", encoding="utf-8") as handle:
            handle.write("110105194912310021,坏号码,,110105\n")
        assert main(["db", "import", str(data)]) == 0
        out = capsys.readouterr().out
        assert "persons.csv" in out and "1 行未导入" in out and "校验位" in out
        assert (tmp_path / "var" / "import-rejects.csv").exists()
        assert main(["db", "seed", "--if-empty"]) == 0
        assert "跳过" in capsys.readouterr().out

        person = next(e for e in EXAMPLES if e.kind == "person" and e.expect.get("retention_bonus") == "eligible")
        assert main(["eligibility", person.id, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["subject"]["kind"] == "person" and person.id not in json.dumps(report)
        assert {b["benefit"]: b["decision"] for b in report["benefits"]}["retention_bonus"] == "eligible"
        assert main(["eligibility", person.id]) == 0
        assert "✓" in capsys.readouterr().out
        assert main(["eligibility", "110105194912310021"]) == 2
        assert "校验位" in capsys.readouterr().err
        assert main(["eligibility", "11010519491231002X"]) == 3
        assert "110105********002X" in capsys.readouterr().err
    finally:
        dispose_engines()


PHONE, MASKED = "13912345678", "139****5678"


def _ticket_db(tmp_path, monkeypatch):
    """A fresh ticket store named by DATABASE_URL; returns its URL."""
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def _complaints_runner(capsys, outputs):
    """Runs `bot complaints …`; keeps everything printed in `outputs`."""

    def run(*argv):
        code = main(["complaints", *argv])
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
        return code, captured.out, captured.err

    return run


def _file(url, monkeypatch, day, key, kind="complaint", **fields):
    from bot.complaints.service import ComplaintService, Draft

    monkeypatch.setenv("BOT_TODAY", day)
    ticket, made = ComplaintService(url).file(key, Draft(phone=PHONE, **fields), kind=kind)
    assert made
    return ticket.number


def test_complaints_list_table_json_filters_and_paging(tmp_path, monkeypatch, capsys):
    from bot.complaints.service import ComplaintService
    from bot.store.db import dispose_engines

    url = _ticket_db(tmp_path, monkeypatch)
    try:
        old = _file(url, monkeypatch, "2023-01-14", "k-old", name="张三", firm_name="嵊泗海鲜加工厂")
        urgent = _file(url, monkeypatch, "2023-01-15", "k-urgent", name="李四", firm_name="舟山建筑公司", workers=12)
        plain = _file(url, monkeypatch, "2023-01-15", "k-plain", name="王五", firm_name="嵊泗海鲜加工厂")
        callback = _file(url, monkeypatch, "2023-01-15", "k-call", kind="callback", callback_time="明天上午")
        assert [n[:12] for n in (old, urgent, plain, callback)] == [
            "QX-20230114-",
            "QX-20230115-",
            "QX-20230115-",
            "HD-20230115-",
        ]
        ComplaintService(url).update(plain, "赵六", status="处理中")
        outputs = []
        run = _complaints_runner(capsys, outputs)

        code, out, _ = run("list")
        assert code == 0
        lines = out.splitlines()
        assert lines[0].split() == ["工单编号", "类型", "状态", "紧急", "登记日期", "姓名", "电话", "企业"]
        assert [line.split()[0] for line in lines[1:5]] == [callback, plain, urgent, old]  # newest first
        assert lines[3].split() == [urgent, "欠薪投诉", "已受理", "急", "2023-01-15", "李四", MASKED, "舟山建筑公司"]
        assert lines[2].split() == [plain, "欠薪投诉", "处理中", "2023-01-15", "王五", MASKED, "嵊泗海鲜加工厂"]
        assert lines[-1] == "共 4 条，显示 1-4"

        code, out, _ = run("list", "--json")
        data = json.loads(out)
        assert code == 0 and data["total"] == 4
        assert [t["number"] for t in data["tickets"]] == [callback, plain, urgent, old]
        assert {t["phone"] for t in data["tickets"]} == {MASKED}
        assert data["tickets"][2]["urgent"] is True and data["tickets"][2]["urgent_reason"] == "涉及12人"

        data = json.loads(run("list", "--status", "处理中", "--json")[1])
        assert data["total"] == 1 and [t["number"] for t in data["tickets"]] == [plain]
        data = json.loads(run("list", "--urgent", "--json")[1])
        assert data["total"] == 1 and [t["number"] for t in data["tickets"]] == [urgent]
        data = json.loads(run("list", "--kind", "callback", "--json")[1])
        assert [t["number"] for t in data["tickets"]] == [callback]
        data = json.loads(run("list", "--until", "2023-01-14", "--json")[1])
        assert [t["number"] for t in data["tickets"]] == [old]
        data = json.loads(run("list", "--since", "2023-01-15", "--firm", "海鲜", "--json")[1])
        assert [t["number"] for t in data["tickets"]] == [plain]

        code, out, _ = run("list", "--limit", "2", "--offset", "1")
        assert code == 0
        assert [line.split()[0] for line in out.splitlines()[1:-1]] == [plain, urgent]
        assert out.splitlines()[-1] == "共 4 条，显示 2-3"
        data = json.loads(run("list", "--limit", "2", "--offset", "2", "--json")[1])
        assert data["total"] == 4 and [t["number"] for t in data["tickets"]] == [urgent, old]
        code, out, _ = run("list", "--offset", "10")
        assert code == 0 and out.strip() == "共 4 条，本页（--offset 10）没有工单"
        code, out, _ = run("list", "--status", "已办结")
        assert code == 0 and out.strip() == "共 0 条，没有符合条件的工单"

        code, out, err = run("list", "--since", "2023-02-30")
        assert (code, out) == (2, "") and "--since 须为 YYYY-MM-DD 格式的日期" in err
        code, out, err = run("list", "--since", "2023-01-16", "--until", "2023-01-15")
        assert code == 2 and "晚于" in err
        code, _, err = run("list", "--status", "完成")
        assert code == 2 and "状态只能是：已受理、处理中、已办结、已转办" in err
        assert all(PHONE not in text for text in outputs)
    finally:
        dispose_engines()


def test_complaints_show_and_update_lifecycle(tmp_path, monkeypatch, capsys):
    from bot.complaints.service import ComplaintService
    from bot.store.db import dispose_engines

    url = _ticket_db(tmp_path, monkeypatch)
    try:
        number = _file(
            url,
            monkeypatch,
            "2023-01-15",
            "k-1",
            name="张三",
            firm_name="嵊泗海鲜加工厂",
            amount_yuan="12000",
            months=["2022-11", "2022-12"],
            description=f"我的电话{PHONE}",
        )
        assert number.startswith("QX-20230115-")
        outputs = []
        run = _complaints_runner(capsys, outputs)

        code, out, _ = run("show", number.replace("-", "", 1).lower(), "--json")  # typed loosely: normalized
        data = json.loads(out)
        assert code == 0 and data["number"] == number and data["status"] == "已受理"
        assert data["phone"] == MASKED and data["description"] == f"我的电话{MASKED}"
        assert data["amount_yuan"] == "12000.00" and data["months"] == ["2022-11", "2022-12"]
        assert [(e["staff"], e["from_status"], e["to_status"]) for e in data["events"]] == [("系统", None, "已受理")]

        code, out, _ = run("show", number)
        assert code == 0
        assert f"工单编号  {number}" in out and "状态      已受理" in out and f"电话      {MASKED}" in out
        assert "查询码    未发放" in out
        assert "欠薪金额  12000.00 元" in out and "欠薪月份  2022-11、2022-12" in out
        assert "系统  — → 已受理  经chat登记" in out

        code, out, _ = run(
            "update", number, "--staff", "王五", "--status", "处理中", "--note", f"已联系企业，企业电话{PHONE}"
        )
        assert code == 0 and "状态      处理中" in out
        assert f"王五  已受理 → 处理中  已联系企业，企业电话{MASKED}" in out
        code, out, _ = run("update", number, "--staff", "王五", "--note", "企业承诺月底前支付", "--json")
        data = json.loads(out)
        assert code == 0 and data["status"] == "处理中"
        assert data["events"][-1] == {
            **data["events"][-1],
            "staff": "王五",
            "from_status": "处理中",
            "to_status": "处理中",
            "note": "企业承诺月底前支付",
        }
        code, out, _ = run("update", number, "--staff", "赵六", "--status", "已办结", "--note", "工资已全额发放")
        assert code == 0 and "状态      已办结" in out

        code, out, _ = run("show", number)
        trail = out.split("处理记录（北京时间）：\n", 1)[1].splitlines()
        assert [line.split(None, 2)[2] for line in trail] == [
            "系统  — → 已受理  经chat登记",
            f"王五  已受理 → 处理中  已联系企业，企业电话{MASKED}",
            "王五  处理中 → 处理中  企业承诺月底前支付",
            "赵六  处理中 → 已办结  工资已全额发放",
        ]
        assert ComplaintService(url).get(number).status == "已办结"

        code, out, err = run("update", number, "--staff", "赵六", "--status", "处理中")
        assert (code, out) == (2, "")
        assert err.strip() == "工单当前为「已办结」，不能改为「处理中」；可改为：无（已结束）"
        assert (
            ComplaintService(url).get(number).status == "已办结" and len(ComplaintService(url).get(number).events) == 4
        )
        code, _, err = run("update", number, "--staff", "赵六", "--status", "结案")
        assert code == 2 and "状态只能是" in err
        code, _, err = run("update", number, "--staff", " ", "--note", "x")
        assert code == 2 and "请填写经办人" in err

        code, out, err = run("show", "QX-20230116-0009")  # another day: surely no such ticket
        assert (code, out) == (1, "") and "没有工单 QX-20230116-0009" in err
        code, _, err = run("update", "QX-20230116-0009", "--staff", "王五", "--note", "x")
        assert code == 2 and "没有工单 QX-20230116-0009" in err

        assert any(MASKED in text for text in outputs)
        assert all(PHONE not in text for text in outputs)
    finally:
        dispose_engines()


def test_staff_add_without_a_terminal_names_the_non_interactive_options(store_url, monkeypatch, capsys):
    import getpass
    import io
    import subprocess
    import sys
    from pathlib import Path

    from bot.console.staff import StaffService

    def no_prompt(*_args, **_kwargs):
        raise AssertionError("getpass must not be called without a terminal")

    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setattr(getpass, "getpass", no_prompt)
    for stdin in (io.StringIO(""), None):  # a pipe / no stdin at all
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["staff", "add", "钱坐席", "--role", "agent"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1
        assert "--password-stdin" in err and "--generate-password" in err
    assert StaffService(store_url).count() == 0

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", "钱坐席", "--role", "agent"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--password-stdin" in result.stderr and "--generate-password" in result.stderr


def test_complaints_reset_code_prints_a_new_code_once_and_nothing_else_shows_codes(tmp_path, monkeypatch, capsys):
    import re

    from bot.complaints.service import ComplaintService
    from bot.store.db import dispose_engines

    url = _ticket_db(tmp_path, monkeypatch)
    try:
        number = _file(url, monkeypatch, "2023-01-15", "k-1", name="张三", firm_name="嵊泗海鲜加工厂")
        _, first = ComplaintService(url).receipt_for("k-1", number)  # the chat's receipt
        outputs = []
        run = _complaints_runner(capsys, outputs)
        code, out, _ = run("reset-code", number, "--staff", "王五")
        assert code == 0 and "只显示这一次" in out
        [new] = re.findall(r"新查询码：(\d{6})", out)
        assert ComplaintService(url).status_for(number, new, "caller").answer is not None
        shown = [run("show", number)[1], run("show", number, "--json")[1], run("list")[1], run("list", "--json")[1]]
        assert all(new not in text and first not in text for text in shown)
        assert "查询码    已发放" in shown[0] and json.loads(shown[1])["code_issued"] is True
        code, out, err = run("reset-code", "QX-20230116-0009", "--staff", "王五")
        assert (code, out) == (2, "") and "没有工单" in err
        code, _, err = run("reset-code", number, "--staff", " ")
        assert code == 2 and "经办人" in err
    finally:
        dispose_engines()


# ---- bot wechat menu -----------------------------------------------------------------------------


class _FakeMenuApi(BaseHTTPRequestHandler):
    """WeChat's token and menu-create endpoints (the CLI runs its own event loop: a plain thread)."""

    menus: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self._json({"access_token": "menu-token", "expires_in": 7200})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        type(self).menus.append((self.path, body))
        self._json({"errcode": 0, "errmsg": "ok"})

    def _json(self, data):
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


def test_wechat_menu_print_is_the_menu_create_body(capsys):
    assert main(["wechat", "menu", "--print"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert set(body) == {"button"} and 1 <= len(body["button"]) <= 3
    assert "人工服务" in json.dumps(body, ensure_ascii=False)


def test_wechat_menu_refuses_a_menu_wechat_would_refuse(tmp_path, capsys):
    bad = tmp_path / "menu.json"
    bad.write_text(
        json.dumps(
            {"button": [{"type": "click", "name": "政策问答政策问答", "key": "K"}], "click_texts": {"K": "有哪些政策"}},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert main(["wechat", "menu", "--print", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "菜单不符合微信的要求" in err and "1-16 bytes" in err
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert main(["wechat", "menu", "--push", "--file", str(tmp_path / "broken.json")]) == 1
    assert "菜单文件无法读取" in capsys.readouterr().err


def test_wechat_menu_push_needs_the_app_credentials(monkeypatch, capsys):
    monkeypatch.delenv("WECHAT_APPID", raising=False)
    monkeypatch.delenv("WECHAT_SECRET", raising=False)
    assert main(["wechat", "menu", "--push"]) == 2
    assert "WECHAT_APPID" in capsys.readouterr().err


def test_wechat_menu_push_posts_the_menu_to_wechat(monkeypatch, capsys):
    _FakeMenuApi.menus = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMenuApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("WECHAT_APPID", "wx-menu-test")
        monkeypatch.setenv("WECHAT_SECRET", "menu-secret")
        monkeypatch.setenv("WECHAT_API_BASE", f"http://127.0.0.1:{server.server_port}")
        assert main(["wechat", "menu", "--push"]) == 0
    finally:
        server.shutdown()
        server.server_close()
    assert "菜单已发布" in capsys.readouterr().out
    [(path, body)] = _FakeMenuApi.menus
    assert path == "/cgi-bin/menu/create?access_token=menu-token"
    sent = json.loads(body)
    assert set(sent) == {"button"} and "click_texts" not in body and "政策问答" in body
