import copy
import shutil
from pathlib import Path

import pytest
import yaml

from bot.policy.loader import PolicyError, check_gazetteer, load_notice, load_policies
from bot.policy.model import TOPICS
from bot.policy.paths import seed_path
from tests.conftest import FIXTURE_POLICIES, all_notices_book, seed_text

POLICIES = Path(__file__).resolve().parents[3] / "policies"
SHENGSI = POLICIES / "shengsi_2022_35.yml"
FIXTURE = FIXTURE_POLICIES / "yunyu_2023_1.yml"
# Every notice file the suite knows (policies/ and the fixtures): adding one adds tests.
NOTICES = [pytest.param(n, id=n.key) for n in all_notices_book().notices]


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
    assert {Path(n.path).name for n in book.notices} == {p.name for p in POLICIES.glob("*.yml")}
    shengsi = book.notice_for_region("shengsi")
    assert [c.id for c in shengsi.clauses] == [str(i) for i in range(1, 24)]
    required = {
        "retention_bonus",
        "delivery_subsidy",
        "consumption_voucher",
        "data_gift",
        "bus_subsidy",
        "recruitment_reward",
    }
    assert required <= {b.key for b in shengsi.benefits}


def test_the_fixture_notice_is_loaded_alongside_the_real_ones(full_book, book):
    assert {n.key for n in full_book.notices} == {n.key for n in book.notices} | {"yunyu_2023_1"}
    assert "TEST DATA" in FIXTURE.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("notice", NOTICES)
def test_every_notice_has_its_source_text(notice):
    path = seed_path(notice)
    assert path is not None, f"{Path(notice.path).name}: notice.source {notice.source!r} not found"
    assert notice.number.replace(" ", "") in seed_text(notice), f"{path} is not the text of {notice.number}"


def test_a_notice_without_its_source_text_fails_with_a_clear_message(tmp_path):
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["notice"]["source"] = "nowhere/missing.txt"
    notice = load_notice(write(tmp_path, data, "orphan.yml"))
    with pytest.raises(
        pytest.fail.Exception, match=r"orphan\.yml: notice\.source: 找不到通知原文 'nowhere/missing\.txt'"
    ):
        seed_text(notice)


@pytest.mark.parametrize("notice", NOTICES)
def test_every_notice_has_an_overview_and_a_region_of_its_own(notice, full_book):
    assert full_book.notice_for_region(notice.region.key) is notice
    assert notice.region in full_book.regions_covering("policy_overview")
    for name in notice.region.names:
        assert full_book.region_by_alias(name) == notice.region


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
    other["region"].update(
        key="daishan", name="浙江省舟山市岱山县", short_name="岱山县", code="330921", aliases=["岱山"]
    )
    for benefit in other["benefits"]:
        benefit["key"] = "daishan_" + benefit["key"]
    write(tmp_path, other, "daishan.yml")
    book = load_policies(tmp_path)
    assert book.region_by_alias("岱山").key == "daishan"
    assert book.notice_for_region("daishan").number == "岱人社发〔2023〕1号"


def shengsi_copy_as(data, key, region_key, code, aliases, shared=None, number="岱人社发〔2023〕1号"):
    other = copy.deepcopy(data)
    other["notice"]["key"] = key
    other["notice"]["number"] = number
    other["region"].update(key=region_key, name="浙江省舟山市岱山县", short_name="岱山县", code=code, aliases=aliases)
    other["region"].pop("shared_aliases", None)
    if shared is not None:
        other["region"]["shared_aliases"] = shared
    for benefit in other["benefits"]:
        benefit["key"] = f"{region_key}_" + benefit["key"]
    return other


def test_a_duplicated_alias_is_refused_with_file_and_field(tmp_path, shengsi_data):
    shutil.copy(SHENGSI, tmp_path / "shengsi.yml")
    write(
        tmp_path,
        shengsi_copy_as(shengsi_data, "daishan_2023_1", "daishan", "330921", ["岱山", "嵊泗列岛"]),
        "daishan.yml",
    )
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path, [])
    text = "\n".join(info.value.problems)
    assert "shengsi.yml: region.aliases[3]: '嵊泗列岛' 已在 daishan.yml 的 region.aliases[1] 中使用" in text


def test_a_city_name_is_refused_unless_every_file_declares_it_shared(tmp_path, shengsi_data):
    shutil.copy(SHENGSI, tmp_path / "shengsi.yml")  # declares 舟山 in region.shared_aliases
    write(
        tmp_path, shengsi_copy_as(shengsi_data, "daishan_2023_1", "daishan", "330921", ["岱山", "舟山"]), "daishan.yml"
    )
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path, [])
    text = "\n".join(info.value.problems)
    assert (
        "daishan.yml: region.aliases[1]: '舟山' 已在" in text
        or "region.shared_aliases[0]: '舟山' 已在 daishan.yml" in text
    )
    assert "shared_aliases" in text


def test_a_shared_city_name_declared_by_both_files_is_allowed(tmp_path, shengsi_data):
    shutil.copy(SHENGSI, tmp_path / "shengsi.yml")
    write(
        tmp_path,
        shengsi_copy_as(shengsi_data, "daishan_2023_1", "daishan", "330921", ["岱山"], ["舟山", "舟山市"]),
        "daishan.yml",
    )
    book = load_policies(tmp_path, [])
    assert book.region_by_alias("舟山") is None
    assert {r.key for r in book.regions_sharing("舟山市")} == {"shengsi", "daishan"}
    assert [r.key for r in book.regions_in_text("舟山的包车补贴")] == ["daishan", "shengsi"]
    assert [r.key for r in book.regions_in_text("舟山嵊泗的包车补贴")] == ["shengsi"]


def test_a_shared_name_claimed_by_one_notice_means_that_region():
    book = load_policies(POLICIES, [])
    if len(book.regions_sharing("舟山")) != 1:
        pytest.skip("another notice in policies/ declares 舟山 too")
    assert book.region_by_alias("舟山").key == "shengsi"
    assert [r.key for r in book.regions_in_text("在舟山过年有补贴吗")] == ["shengsi"]


def test_a_name_both_own_and_shared_in_one_file_is_refused(tmp_path, shengsi_data):
    shengsi_data["region"]["shared_aliases"].append("嵊泗")
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any(p.startswith("notice.yml: region.shared_aliases[2]:") and "'嵊泗'" in p for p in problems)


def test_a_duplicated_region_code_is_refused(tmp_path, shengsi_data):
    shutil.copy(SHENGSI, tmp_path / "shengsi.yml")
    write(tmp_path, shengsi_copy_as(shengsi_data, "daishan_2023_1", "daishan", "330922", ["岱山"]), "daishan.yml")
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path, [])
    assert "shengsi.yml: region.code: '330922' 已在 daishan.yml 中使用" in "\n".join(info.value.problems)


def test_an_invalid_region_code_is_refused(tmp_path, shengsi_data):
    shengsi_data["region"]["code"] = "99"
    assert any(p.startswith("notice.yml: region.code:") for p in problems_of(write(tmp_path, shengsi_data)))


def test_extra_folders_are_loaded_alongside_the_main_one(monkeypatch):
    monkeypatch.setenv("BOT_EXTRA_POLICY_DIRS", str(FIXTURE_POLICIES))
    assert "yunyu" in {r.key for r in load_policies(POLICIES).regions}
    assert "yunyu" not in {r.key for r in load_policies(POLICIES, []).regions}


def test_the_other_regions_gazetteer_never_names_a_covered_place(full_book):
    from bot.nlu.build import GAZETTEER, other_regions

    listed = [line.strip() for line in GAZETTEER.read_text(encoding="utf-8").splitlines()]
    assert check_gazetteer(full_book, ["上海", "云屿", "舟山市", "嵊泗"]) == ["云屿", "舟山市", "嵊泗"]
    effective = other_regions(book=full_book)
    assert not check_gazetteer(full_book, effective)
    assert set(effective) <= set(listed)


def test_a_check_rule_without_its_parameter_is_refused(tmp_path, shengsi_data):
    bus = next(b for b in shengsi_data["benefits"] if b["key"] == "bus_subsidy")
    index = shengsi_data["benefits"].index(bus)
    condition = next(c for c in bus["conditions"] if c["check"]["rule"] == "charter_min_passengers")
    del condition["check"]["min"]
    condition_index = bus["conditions"].index(condition)
    window = next(c for c in bus["conditions"] if c["check"]["rule"] == "charter_in_window")
    window["check"]["window"] = "不存在的期间"
    problems = problems_of(write(tmp_path, shengsi_data))
    assert (
        f"notice.yml: benefits[{index}].conditions[{condition_index}].check.min: "
        "规则 charter_min_passengers 需要参数 min" in problems
    )
    assert any(f"benefits[{index}].conditions[" in p and "check.window: '不存在的期间'" in p for p in problems)


@pytest.mark.parametrize(
    "param, value, says",
    [
        ("min", "10人", "应为正整数"),
        ("min", 0, "应为正整数"),
        ("share", 50, "应为 0 到 1 之间"),
        ("share", "一半", "应为 0 到 1 之间"),
    ],
)
def test_a_check_parameter_that_cannot_be_used_is_refused(tmp_path, shengsi_data, param, value, says):
    """ "min: 10人" would pass a presence check and then fail every eligibility answer."""
    bus = next(b for b in shengsi_data["benefits"] if b["key"] == "bus_subsidy")
    rule = "charter_min_passengers" if param == "min" else "charter_cost_share"
    condition = next((c for c in bus["conditions"] if (c.get("check") or {}).get("rule") == rule), None)
    if condition is None:
        pytest.skip(f"嵊泗's bus subsidy has no {rule} check")
    condition["check"][param] = value
    problems = problems_of(write(tmp_path, shengsi_data))
    assert any(f"check.{param}: {value!r} {says}" in p for p in problems), problems


def test_bad_dates_months_and_firm_kinds_in_checks_are_refused(tmp_path, shengsi_data):
    checks = [c["check"] for b in shengsi_data["benefits"] for c in b.get("conditions", []) if c.get("check")]
    next(c for c in checks if c["rule"] == "festival_job")["date"] = "春节"
    next(c for c in checks if c["rule"] == "social_insurance_month")["month"] = "2022年12月"
    next(c for c in checks if "employer_any_of" in c)["employer_any_of"] = [["规上"]]
    problems = "\n".join(problems_of(write(tmp_path, shengsi_data)))
    assert "check.date: '春节' 应为日期" in problems
    assert "check.month: '2022年12月' 应为月份" in problems
    assert "check.employer_any_of" in problems


@pytest.mark.parametrize("notice", NOTICES)
def test_every_figure_a_check_uses_is_in_its_condition_or_clause(notice):
    """min: 15 is printed in "15人及以上" (the condition text or its clause): no figure of its own."""
    for benefit in notice.benefits:
        for condition in benefit.conditions:
            check = condition.check or {}
            for param in ("min", "share"):
                if check.get(param) is None:
                    continue
                value = float(check[param])
                spelled = f"{value * 100:g}%" if param == "share" else f"{value:g}"
                where = condition.text + notice.clause(condition.clause).text
                assert spelled in where, f"{benefit.key}.{condition.key}: check.{param}={check[param]} not in {where!r}"
