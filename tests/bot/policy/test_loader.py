import copy
import shutil
from pathlib import Path

import pytest
import yaml

from bot.policy.loader import PolicyError, load_notice, load_policies
from bot.policy.model import TOPICS

POLICIES = Path(__file__).resolve().parents[3] / "policies"
SHENGSI = POLICIES / "shengsi_2022_35.yml"


@pytest.fixture
def shengsi_data():
    return yaml.safe_load(SHENGSI.read_text(encoding="utf-8"))


def write(tmp_path, data, name="notice.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path):
    with pytest.raises(PolicyError) as info:
        load_notice(path)
    return info.value.problems


def test_the_real_notices_load(book):
    assert {n.region.key for n in book.notices} == {"shengsi", "jiangsu"}
    shengsi = book.notice_for_region("shengsi")
    assert [c.id for c in shengsi.clauses] == [str(i) for i in range(1, 24)]
    required = {"retention_bonus", "delivery_subsidy", "consumption_voucher", "data_gift",
                "bus_subsidy", "recruitment_reward"}
    assert required <= {b.key for b in shengsi.benefits}


def test_every_topic_is_answered_by_some_notice(book):
    for topic in TOPICS:
        assert book.regions_covering(topic), f"no notice answers topic {topic}"


def test_missing_field_names_file_and_field(tmp_path, shengsi_data):
    del shengsi_data["benefits"][0]["clauses"]
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any(p.startswith("notice.yml: benefits[0].clauses:") and "缺少" in p for p in problems)


def test_bad_date(tmp_path, shengsi_data):
    benefit = next(b for b in shengsi_data["benefits"] if b["key"] == "consumption_voucher")
    index = shengsi_data["benefits"].index(benefit)
    benefit["windows"][-1]["end"] = "2023-02-30"
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any(f"benefits[{index}].windows[" in p and "2023-02-30" in p and "不是日期" in p for p in problems)


def test_window_ending_before_it_starts(tmp_path, shengsi_data):
    benefit = next(b for b in shengsi_data["benefits"] if b["key"] == "data_gift")
    window = next(w for w in benefit["windows"] if w.get("start"))
    window["start"], window["end"] = window["end"], window["start"]
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any("晚于结束日期" in p for p in problems)


def test_clause_reference_must_exist(tmp_path, shengsi_data):
    shengsi_data["benefits"][0]["clauses"] = ["99"]
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any("benefits[0].clauses" in p and "'99'" in p for p in problems)


def test_unknown_topic(tmp_path, shengsi_data):
    shengsi_data["benefits"][0]["topics"] = ["free_lunch"]
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any("benefits[0].topics" in p and "free_lunch" in p for p in problems)


def test_duplicate_clause_id(tmp_path, shengsi_data):
    shengsi_data["clauses"].append(copy.deepcopy(shengsi_data["clauses"][0]))
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any("条款编号 '1' 重复" in p for p in problems)


@pytest.mark.parametrize("leak", ["联系电话：13912345678", "025-83233816", "someone@qq.com"])
def test_personal_contact_data_is_refused(tmp_path, shengsi_data, leak):
    shengsi_data["clauses"][0]["text"] += leak
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any(p.startswith("notice.yml: clauses[0].text:") and "个人联系方式" in p for p in problems)


def test_public_hotline_is_allowed(tmp_path, shengsi_data):
    shengsi_data["clauses"][0]["text"] += "咨询电话12333。"
    assert load_notice(write(tmp_path, shengsi_data)).clause("1").text.endswith("12333。")


def test_wrong_type(tmp_path, shengsi_data):
    shengsi_data["benefits"][0]["amount_yuan"] = "五百"
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any("benefits[0].amount_yuan" in p and "数字" in p for p in problems)


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("notice: [unclosed\n", encoding="utf-8")
    problems = problems_of(path)
    assert problems[0].startswith("broken.yml: YAML 语法错误")


def test_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "文件应为映射" in problems_of(path)[0]


def test_keys_unique_across_files(tmp_path):
    shutil.copy(SHENGSI, tmp_path / "a.yml")
    shutil.copy(SHENGSI, tmp_path / "b.yml")
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path)
    text = "\n".join(info.value.problems)
    assert "b.yml: notice.key: 'shengsi_2022_35' 已在 a.yml 中使用" in text
    assert "benefits.key: 'retention_bonus'" in text


def test_empty_directory(tmp_path):
    with pytest.raises(PolicyError, match="没有政策数据文件"):
        load_policies(tmp_path)


def test_a_third_notice_is_just_a_file(tmp_path, shengsi_data):
    """Adding a notice means adding a file: no code changes."""
    shutil.copy(SHENGSI, tmp_path / "shengsi.yml")
    other = copy.deepcopy(shengsi_data)
    other["notice"]["key"] = "daishan_2023_1"
    other["notice"]["number"] = "岱人社发〔2023〕1号"
    other["region"].update(key="daishan", name="浙江省舟山市岱山县", short_name="岱山县", code="330921",
                           aliases=["岱山"])
    for benefit in other["benefits"]:
        benefit["key"] = "daishan_" + benefit["key"]
    write(tmp_path, other, "daishan.yml")
    book = load_policies(tmp_path)
    assert book.region_by_alias("岱山").key == "daishan"
    assert book.notice_for_region("daishan").number == "岱人社发〔2023〕1号"
