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


def test_db_seed_import_and_eligibility_commands(tmp_path, monkeypatch, capsys):
    from bot.store.db import dispose_engines
    from bot.store.seed import EXAMPLES, write_demo_csv

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
