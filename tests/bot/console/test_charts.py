"""The dashboard's SVG charts: values drawn to scale, labels escaped."""

import xml.etree.ElementTree as ET

from bot.console.charts import bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_to_scale_and_labels_cannot_inject_markup():
    svg = bar_chart([("<script>x</script>", 10), ("处理中", 5), ("已办结", 0)], "状态", "件")
    root = ET.fromstring(svg)  # well-formed XML: the label was escaped
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>x</script>" in texts and "10件" in texts


def test_empty_charts_say_so():
    assert "暂无数据" in bar_chart([], "咨询最多的政策")
    root = ET.fromstring(column_chart([("01-01", 0), ("01-02", 3)], "每日新增"))
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert heights[0] == 0 and heights[1] > 0
