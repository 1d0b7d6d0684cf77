from bot.training import fingerprint


def test_fingerprint_follows_content_not_timestamps(tmp_path):
    (tmp_path / "config.yml").write_text("pipeline: []\n", encoding="utf-8")
    (tmp_path / "nlu_data").mkdir()
    data = tmp_path / "nlu_data" / "nlu.yml"
    data.write_text("- 你好\n", encoding="utf-8")
    inputs = ("config.yml", "nlu_data")
    first = fingerprint(tmp_path, inputs)
    data.write_text("- 你好\n", encoding="utf-8")  # touched, same content
    assert fingerprint(tmp_path, inputs) == first
    data.write_text("- 你好呀\n", encoding="utf-8")  # one-line change
    assert fingerprint(tmp_path, inputs) != first
