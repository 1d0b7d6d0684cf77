import json

from bot.cli import main
from bot.nlu import report


def test_policies_check(capsys):
    assert main(["policies", "check"]) == 0
    out = capsys.readouterr().out
    assert "嵊人社发〔2022〕35号" in out and "政策数据校验通过" in out


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
