"""Charts of the pages in the browser: whether any two of a chart's texts overlap, and names of a
county as large as the demo's 阳城县 (17 townships, 26 teams) to draw them with."""
from __future__ import annotations

TOWNSHIPS = ["凤城镇", "北留镇", "润城镇", "町店镇", "芹池镇", "次营镇", "横河镇", "河北镇", "蟒河镇",
             "东冶镇", "白桑镇", "寺头乡", "西河乡", "演礼乡", "固隆乡", "董封乡", "驾岭乡"]
DEPARTMENT_TEAMS = ["市场监管综合行政执法队", "生态环境保护综合行政执法队", "交通运输综合行政执法队",
                    "农业综合行政执法队", "文化市场综合行政执法队", "卫生健康综合监督执法队",
                    "应急管理综合行政执法队", "自然资源和规划执法队", "水利综合执法队"]

# Each text of a chart as the quadrilateral it covers on screen (its box turned with it: slanted
# labels), compared pairwise by separating axes; and each inside the chart.
_OVERLAPPING_TEXTS = """id => {
  const box = document.getElementById(id).getBoundingClientRect();
  const quads = Array.from(document.querySelectorAll('#' + id + ' svg text')).filter(t => t.textContent.trim())
    .map(t => {
      const b = t.getBBox(), m = t.getScreenCTM(), p = t.ownerSVGElement.createSVGPoint();
      const at = (x, y) => { p.x = x; p.y = y; const q = p.matrixTransform(m); return [q.x, q.y]; };
      return [t.textContent, [at(b.x, b.y), at(b.x + b.width, b.y), at(b.x + b.width, b.y + b.height),
                              at(b.x, b.y + b.height)]];
    });
  const apart = (a, b) => [a, b].some(quad => quad.some((p, i) => {
    const q = quad[(i + 1) % 4], axis = [q[1] - p[1], p[0] - q[0]];
    const span = pts => pts.map(r => r[0] * axis[0] + r[1] * axis[1]);
    const sa = span(a), sb = span(b), len = Math.hypot(axis[0], axis[1]);
    return Math.min(...sb) - Math.max(...sa) >= -len || Math.min(...sa) - Math.max(...sb) >= -len;
  }));
  const out = [];
  quads.forEach(([text, quad], i) => {
    if (quad.some(([x, y]) => x < box.left - 1 || x > box.right + 1 || y < box.top - 1 || y > box.bottom + 1))
      out.push('outside the chart: ' + text);
    quads.slice(i + 1).forEach(([other, q]) => { if (!apart(quad, q)) out.push(text + ' / ' + other); });
  });
  return [quads.length, out];
}"""


def overlapping_texts(page, chart_id: str) -> tuple[int, list[str]]:
    """(how many texts chart `chart_id` (an SVG-rendered ECharts chart) shows, the pairs of them
    that overlap and those reaching outside the chart)."""
    count, problems = page.evaluate(_OVERLAPPING_TEXTS, chart_id)
    return count, problems
