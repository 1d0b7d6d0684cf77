"""Supervisors' labels and their export as NLU examples Rasa can train on."""

import datetime as dt

import pytest

from bot.cli import main
from bot.console.review import ReviewError, ReviewStore, export_reviewed
from bot.console.traffic import ReviewTurn


def turn(event_id, text, intent="nlu_fallback"):
    return ReviewTurn(
        event_id,
        "user-1",
        dt.datetime(2023, 1, 20, 8),
        text,
        intent,
        0.3,
        (("ask_retention_bonus", 0.3),),
        intent == "nlu_fallback",
    )


def read_nlu(path):
    """The examples per intent, as Rasa's own reader loads the file."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().read(path)
    examples = {}
    for message in data.intent_examples:
        examples.setdefault(message.get("intent"), []).append(message.get("text"))
    return examples


def test_labels_are_checked_and_given_once(store_url):
    store = ReviewStore(store_url)
    store.label(turn(7, "过年不回家厂里给钱不"), "ask_retention_bonus", "王班长")
    with pytest.raises(ReviewError, match="已经标注过了"):
        store.label(turn(7, "过年不回家厂里给钱不"), "greet", "王班长")
    with pytest.raises(ReviewError, match="未知意图"):
        store.label(turn(8, "x"), "ask_lottery", "王班长")
    assert store.labelled_ids() == {7}
    [label] = store.labels()
    assert (label.label, label.predicted_intent, label.staff) == ("ask_retention_bonus", "nlu_fallback", "王班长")


def test_export_writes_rasa_nlu_and_skips_what_the_data_has(tmp_path, store_url):
    nlu_dir = tmp_path / "nlu_data"
    nlu_dir.mkdir()
    (nlu_dir / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n      - 你好\n', encoding="utf-8"
    )
    store = ReviewStore(store_url)
    store.label(turn(1, "过年不回家厂里给钱不"), "ask_retention_bonus", "王班长")
    store.label(turn(2, "电话139****5678 欠我工资"), "complain_wage_arrears", "王班长")
    store.label(turn(3, "你好"), "thank", "王班长")  # in the data already, under another intent
    store.label(turn(4, "过年不回家厂里给钱不"), "ask_retention_bonus", "王班长")  # the same text again
    out = nlu_dir / "reviewed.yml"
    report = export_reviewed(store.labels(), out, nlu_dir)
    assert (report.written, report.already_in_data) == (2, 1)
    assert report.conflicting == ["你好（训练数据中为 greet，标注为 thank）"]
    first = read_nlu(out)
    assert first == {
        "ask_retention_bonus": ["过年不回家厂里给钱不"],
        "complain_wage_arrears": ["电话139****5678 欠我工资"],
    }
    again = export_reviewed(store.labels(), out, nlu_dir)  # the previous export is replaced, not counted
    assert again.written == 2 and read_nlu(out) == first


def test_cli_exports_and_adds_staff(tmp_path, store_url, monkeypatch, capsys):
    import io

    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("pass-word-1\n"))
    assert main(["staff", "add", "赵坐席", "--role", "agent", "--password-stdin"]) == 0
    assert main(["staff", "add", "赵坐席", "--role", "agent", "--generate-password"]) == 2
    assert "已有名为「赵坐席」的账号" in capsys.readouterr().err
    assert main(["staff", "add", "管理员", "--role", "supervisor", "--if-none"]) == 0
    assert "已有控制台账号，未新建" in capsys.readouterr().out
    ReviewStore(store_url).label(turn(5, "包车回来上班有补贴么"), "ask_bus_subsidy", "王班长")
    out = tmp_path / "reviewed.yml"
    assert main(["nlu", "export-reviewed", "--out", str(out)]) == 0
    assert "已写入 1 条样例" in capsys.readouterr().out
    assert read_nlu(str(out)) == {"ask_bus_subsidy": ["包车回来上班有补贴么"]}


def test_first_start_makes_one_supervisor_with_a_printed_password(store_url, monkeypatch, capsys):
    from bot.console.staff import StaffService

    monkeypatch.setenv("DATABASE_URL", store_url)
    assert main(["staff", "add", "管理员", "--role", "supervisor", "--if-none"]) == 0
    password = capsys.readouterr().out.split("初始密码：")[1].split()[0]
    assert StaffService(store_url).login("管理员", password, "127.0.0.1").staff.is_supervisor
