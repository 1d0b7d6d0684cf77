import spacy
import yaml

from bot.nlu import build
from bot.nlu.jieba_dict import load_project_dictionary


def test_entity_terms_come_from_the_policy_data(book):
    terms = build.entity_terms(book)
    assert "consumption_voucher" in terms["benefit"]["消费券"]
    assert terms["region"]["嵊泗"] == {"shengsi"} and terms["region"]["苏州"] == {"jiangsu"}
    assert terms["region"]["上海"] == set()  # uncovered place: no canonical value
    assert "快递小哥" in terms["group"]
    labels_of = {}
    for label, by_term in terms.items():
        for term in by_term:
            labels_of.setdefault(term, []).append(label)
    assert all(len(labels) == 1 for labels in labels_of.values())


def test_spacy_pipeline_finds_policy_entities(tmp_path, book):
    terms = build.entity_terms(book)
    build.write_jieba_terms(terms, tmp_path / "jieba" / "policy_terms.txt")
    load_project_dictionary(tmp_path / "jieba")
    build.build_spacy(build.ruler_patterns(terms), tmp_path / "spacy")
    nlp = spacy.load(tmp_path / "spacy")
    cases = {
        "嵊泗的留工补助怎么领": {("嵊泗", "region"), ("留工补助", "benefit")},
        "我在苏州上班，消费券能领吗": {("苏州", "region"), ("消费券", "benefit")},
        "外卖骑手过年有补贴吗": {("外卖骑手", "group")},
        "上海有没有包车补贴": {("上海", "region"), ("包车补贴", "benefit")},
    }
    for text, expected in cases.items():
        found = {(e.text, e.label_) for e in nlp(text).ents}
        assert expected <= found, text


def test_synonyms_file_is_valid_rasa_data(tmp_path, book):
    path = tmp_path / "synonyms.yml"
    build.write_synonyms(build.entity_terms(book), path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"]}
    assert "- 嵊泗县" in synonyms["shengsi"] and "- 消费券" in synonyms["consumption_voucher"]


def test_a_new_notices_region_names_are_entities_without_training_examples(tmp_path, full_book):
    """The fixture county has no NLU example: its names reach the NLU from its file alone."""
    from tests.conftest import REPO_ROOT

    terms = build.entity_terms(full_book)
    assert terms["region"]["云屿"] == {"yunyu"}
    assert terms["region"]["舟山"] == {"shengsi", "yunyu"}  # shared: no one canonical value
    build.write_jieba_terms(terms, tmp_path / "jieba" / "policy_terms.txt")
    load_project_dictionary(tmp_path / "jieba")
    build.build_spacy(build.ruler_patterns(terms), tmp_path / "spacy")
    nlp = spacy.load(tmp_path / "spacy")
    for text, expected in {
        "那云屿呢": ("云屿", "region"),
        "云屿县的包车补贴": ("云屿县", "region"),
        "舟山的消费券": ("舟山", "region"),
    }.items():
        assert expected in {(e.text, e.label_) for e in nlp(text).ents}, text
    build.write_synonyms(terms, tmp_path / "synonyms.yml")
    synonyms = {
        item["synonym"]: item["examples"]
        for item in yaml.safe_load((tmp_path / "synonyms.yml").read_text(encoding="utf-8"))["nlu"]
    }
    assert "- 云屿" in synonyms["yunyu"].splitlines() and "- 舟山" not in synonyms["shengsi"].splitlines()
    names = full_book.notice_for_region("yunyu").region.names
    for path in (REPO_ROOT / "nlu_data").rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert not any(name in text for name in names), f"{path} names the fixture county"


def test_covered_places_are_never_uncovered_entities(full_book, tmp_path, monkeypatch):
    gazetteer = tmp_path / "other_regions.txt"
    gazetteer.write_text("# test\n上海\n云屿县\n舟山\n", encoding="utf-8")
    monkeypatch.setattr(build, "GAZETTEER", gazetteer)
    assert build.other_regions(gazetteer, full_book) == ["上海"]
    terms = build.entity_terms(full_book)
    assert terms["region"]["云屿县"] == {"yunyu"} and terms["region"]["上海"] == set()
