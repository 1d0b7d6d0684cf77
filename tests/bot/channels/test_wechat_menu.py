"""The custom menu file (bot/channels/wechat_menu.json) against WeChat's menu-create rules, and the
checker that enforces them before `bot wechat menu --push` sends anything."""

import copy

import pytest

from bot.channels.wechat_menu import (
    MAX_KEY_BYTES,
    MAX_SUB_NAME_BYTES,
    MAX_TOP_NAME_BYTES,
    click_keys,
    click_texts,
    load_menu,
    menu_for_api,
    menu_problems,
)

MAIN_TOPICS = ("政策问答", "我能领吗", "欠薪投诉", "查投诉进度", "人工服务")


@pytest.fixture
def menu():
    return load_menu()


def _names(menu):
    for button in menu["button"]:
        yield button["name"]
        for sub in button.get("sub_button") or []:
            yield sub["name"]


def test_the_menu_file_is_valid_within_wechats_limits(menu):
    assert menu_problems(menu) == []
    assert 1 <= len(menu["button"]) <= 3
    for button in menu["button"]:
        assert len(button["name"].encode("utf-8")) <= 16
        assert len(button.get("sub_button") or []) <= 5
        for sub in button.get("sub_button") or []:
            assert len(sub["name"].encode("utf-8")) <= 60 and len(sub["key"].encode("utf-8")) <= 128


def test_the_menu_offers_the_main_topics_and_every_tap_has_a_text(menu):
    assert set(MAIN_TOPICS) <= set(_names(menu))
    assert set(click_keys(menu)) == set(click_texts())
    assert all(text.strip() for text in click_texts().values())


def test_only_the_button_list_is_sent_to_wechat(menu):
    assert menu_for_api(menu) == {"button": menu["button"]}


def _broken(menu, change):
    broken = copy.deepcopy(menu)
    change(broken)
    return menu_problems(broken)


@pytest.mark.parametrize(
    "change,problem",
    [
        (lambda m: m["button"].append({"type": "click", "name": "四", "key": "MENU_POLICY"}), "top-level"),
        (
            lambda m: m["button"][0]["sub_button"].extend(
                {"type": "click", "name": f"子{i}", "key": f"K{i}"} for i in range(2)
            ),
            "sub_button",
        ),
        (lambda m: m["button"][0].update(name="政" * (MAX_TOP_NAME_BYTES // 3 + 1)), "bytes"),
        (lambda m: m["button"][0]["sub_button"][0].update(name="问" * (MAX_SUB_NAME_BYTES // 3 + 1)), "bytes"),
        (lambda m: m["button"][2].update(key="K" * (MAX_KEY_BYTES + 1)), "key"),
        (lambda m: m["button"][2].update(type="tap"), "unknown type"),
        (lambda m: m["click_texts"].pop("MENU_HUMAN"), "no click_texts"),
        (lambda m: m["click_texts"].update(MENU_OLD="旧的"), "which no button sends"),
        (lambda m: m["button"][1]["sub_button"][0].update(key="MENU_POLICY"), "twice"),
        (lambda m: m["button"][2].update(type="view", url="ftp://x"), "url"),
    ],
    ids=[
        "4-top",
        "6-sub",
        "long-top-name",
        "long-sub-name",
        "long-key",
        "bad-type",
        "text-missing",
        "stray-text",
        "duplicate-key",
        "bad-url",
    ],
)
def test_the_checker_finds_what_wechat_would_refuse(menu, change, problem):
    problems = _broken(menu, change)
    assert any(problem in p for p in problems), problems


def test_the_welcome_lists_what_to_ask_and_says_voice_works():
    """The subscribe event is answered with utter_greet (bot/channels/wechat.py: GREET_TRIGGER)."""
    from pathlib import Path

    import yaml

    domain = yaml.safe_load((Path(__file__).resolve().parents[3] / "domain.yml").read_text(encoding="utf-8"))
    welcome = domain["responses"]["utter_greet"][0]["text"]
    assert all(topic in welcome for topic in MAIN_TOPICS)
    assert "语音" in welcome and "菜单" in welcome
    assert len(welcome.encode("utf-8")) <= 2048  # one WeChat message
