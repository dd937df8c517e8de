"""AHP judgements (层次分析法判断矩阵) in a 考核细则 workbook: reading them back.

An optional sheet whose name starts with 判断矩阵 holds one block per node weighted by AHP:

    节点     | 深化能力作风建设                      ← the node, by name (“…（30分）” allowed) or code
             | 理论学习 | 督查整改 | 12345办结率   ← its children, by name or code
    理论学习 | 1        | 3        | 5
    督查整改 | 1/3      | 1        | 2             ← a judgement: a number or a fraction a/b
    12345办结率 | 1/5   | 1/2      | 1

Blank cells below (or above) the diagonal take the reciprocal of their mirror, a blank
diagonal is 1. The node's weights become ``{method: ahp, matrix: …}`` in the children's order
of the document, with the fractions kept as written ("1/3"). Every problem names its sheet,
row and column; an inconsistent matrix (CR > 0.10) is refused with its CR, as the engine
would refuse it at scoring time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from duibiao import engine
from duibiao.documents.excel import workbook as wbk
from duibiao.documents.excel.problems import ImportReport

SHEET_PREFIX = "判断矩阵"
BLOCK_HEADS = ("节点", "判断矩阵")
LEVEL_RE = re.compile(r"^(.*?)\s*[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")


@dataclass
class JudgementBlock:
    """One node's matrix as read: labels and cells (row, column, value) of the sheet."""

    sheet: str
    row: int  # the 节点 row
    col: int  # the node label's column
    node: str
    labels: list[str]
    label_cols: list[int]
    rows: list[int]
    cells: list[list[object]] = field(default_factory=list)


def _label(value: object) -> str:
    text = wbk.as_text(value)
    m = LEVEL_RE.match(text)
    return m.group(1) if m else text


def judgement_blocks(wb, report: ImportReport) -> list[JudgementBlock]:
    """Every block of every 判断矩阵 sheet; layout problems go to the report."""
    blocks: list[JudgementBlock] = []
    for ws in wb.worksheets:
        if ws.title.startswith(SHEET_PREFIX):
            blocks += _sheet_blocks(ws.title, wbk.read_rows(ws), report)
    return blocks


def _sheet_blocks(sheet: str, rows, report: ImportReport) -> list[JudgementBlock]:
    grid = {(c.row, c.col): c.value for row in rows for c in row}
    starts = [row[0] for row in rows if row[0].col == 1 and wbk.as_text(row[0].value) in BLOCK_HEADS]
    blocks = []
    for start in starts:
        node = grid.get((start.row, 2))
        if node is None:
            report.add(sheet, start.row, "缺少节点名称（填在“节点”右边一格）", col=2)
            continue
        header = start.row + 1
        cols = sorted(c for (r, c) in grid if r == header and c > 1)
        if len(cols) < 2 or cols != list(range(2, 2 + len(cols))):
            report.add(sheet, header, "判断矩阵的列标题应从 B 列起连续填写下级指标（至少两项）", col=2)
            continue
        block = JudgementBlock(sheet, start.row, 2, _label(node), [_label(grid[(header, c)]) for c in cols],
                               cols, [header + 1 + i for i in range(len(cols))])
        for i, r in enumerate(block.rows):
            if _label(grid.get((r, 1))) != block.labels[i]:
                report.add(sheet, r, f"第 {i + 1} 行的标题应为“{block.labels[i]}”（与第 {i + 1} 列相同）", col=1)
                break
            block.cells.append([grid.get((r, c)) for c in cols])
        else:
            blocks.append(block)
    return blocks


def _judgement(value: object) -> tuple[float, object]:
    """(the judgement, how to write it in the document) of one cell; ValueError if none."""
    if isinstance(value, bool | dt.date | dt.time):  # a date is a fraction Excel misread
        raise ValueError(value)
    if isinstance(value, int | float):
        x = engine.parse_judgement(value)
        return x, int(x) if float(x).is_integer() else value
    text = str(wbk.narrow(value))
    x = engine.parse_judgement(text)
    if "/" in text:
        return x, re.sub(r"\s+", "", text)
    return x, int(x) if x.is_integer() else x


def _reciprocal(written: object, x: float) -> object:
    """How to write 1/x: 1/3 for 3, 3 for “1/3”, 3/2 for “2/3”, else the number."""
    if isinstance(written, str) and "/" in written:
        top, bottom = written.split("/", 1)
        return int(bottom) if top == "1" and bottom.isdigit() else f"{bottom}/{top}"
    if float(x).is_integer():
        return f"1/{int(x)}" if x != 1 else 1
    inverse = 1 / x
    if abs(inverse - round(inverse)) < 1e-9:
        return int(round(inverse))
    return round(inverse, 6)


def _matrix(block: JudgementBlock, report: ImportReport) -> tuple[list[list[float]], list[list[object]]] | None:
    """The judgements as numbers and as written, blanks filled by reciprocity; None on a problem."""
    n = len(block.labels)
    values: list[list[float | None]] = [[None] * n for _ in range(n)]
    written: list[list[object]] = [[None] * n for _ in range(n)]
    bad: set[tuple[int, int]] = set()
    for i in range(n):
        for j in range(n):
            raw = block.cells[i][j]
            if raw is None:
                continue
            try:
                values[i][j], written[i][j] = _judgement(raw)
            except ValueError:
                bad.add((i, j))
                hint = "（Excel 把 1/3 当成了日期：请把单元格设为文本后再填）" if isinstance(raw, dt.date) else ""
                report.add(block.sheet, block.rows[i], f"判断值“{wbk.as_text(raw)}”应为正数或分数（如 3、1/3）{hint}",
                           col=block.label_cols[j])
    ok = not bad
    for i in range(n):
        if values[i][i] is None:
            values[i][i], written[i][i] = 1.0, 1
        elif abs(float(values[i][i] or 0) - 1) > 1e-9:
            report.add(block.sheet, block.rows[i], "对角线上的判断值应为 1", col=block.label_cols[i])
            ok = False
    for i in range(n):
        for j in range(i + 1, n):
            a, b = values[i][j], values[j][i]
            if (i, j) in bad or (j, i) in bad:
                continue  # already said
            if a is None and b is None:
                report.add(block.sheet, block.rows[i], f"缺少“{block.labels[i]}”与“{block.labels[j]}”的判断值",
                           col=block.label_cols[j])
                ok = False
            elif a is None or b is None:
                (si, sj) = (j, i) if a is None else (i, j)
                known = values[si][sj]
                assert known is not None
                values[sj][si], written[sj][si] = 1 / known, _reciprocal(written[si][sj], known)
            elif abs(a * b - 1) > 1e-3:
                report.add(block.sheet, block.rows[j],
                           f"判断值应为第 {block.rows[i]} 行对应值“{wbk.as_text(block.cells[i][j])}”的倒数",
                           col=block.label_cols[i])
                ok = False
    if not ok:
        return None
    return [[float(v or 0) for v in row] for row in values], written


def _branches(node: dict) -> list[dict]:
    out = [node]
    for child in node.get("children", []):
        if "children" in child:
            out += _branches(child)
    return out


def _find_node(doc: dict, label: str) -> dict | None:
    nodes = _branches(doc["tree"])
    by_code = [n for n in nodes if n.get("code") == label]
    if by_code:
        return by_code[0]
    by_name = [n for n in nodes if n.get("name") == label]
    return by_name[0] if len(by_name) == 1 else None


def apply_judgements(doc: dict, blocks: list[JudgementBlock], report: ImportReport) -> int:
    """Set each block's node to AHP weights with its matrix (``doc`` is changed in place);
    the number of nodes set."""
    done = 0
    for block in blocks:
        node = _find_node(doc, block.node)
        if node is None:
            report.add(block.sheet, block.row, f"节点“{block.node}”不在方案中（填写有下级指标的节点名称或代码）",
                       col=block.col)
            continue
        order = _children_order(node, block, report)
        matrix = _matrix(block, report) if order is not None else None
        if order is None or matrix is None:
            continue
        numbers, written = matrix
        spec = dict(node.get("weights") or {}) if (node.get("weights") or {}).get("method") == "ahp" else {}
        try:
            engine.ahp_weights([[numbers[i][j] for j in order] for i in order],
                               random_index=str(spec.get("random_index", "saaty")),
                               accept_inconsistent=bool(spec.get("accept_inconsistent", False)))
        except ValueError as exc:
            report.add(block.sheet, block.row, f"判断矩阵未通过一致性检验，请修改判断值：{exc}", col=block.col)
            continue
        node["weights"] = {**spec, "method": "ahp", "matrix": [[written[i][j] for j in order] for i in order]}
        done += 1
    return done


def _children_order(node: dict, block: JudgementBlock, report: ImportReport) -> list[int] | None:
    """For each child of the node in the document's order, its position in the block."""
    children = node.get("children", [])
    found: dict[int, int] = {}
    for k, label in enumerate(block.labels):
        matches = [i for i, c in enumerate(children) if label in (c.get("code"), c.get("name"))]
        if len(matches) != 1 or matches[0] in found:
            report.add(block.sheet, block.row + 1, f"“{label}”不是“{block.node}”的下级指标（或重复）",
                       col=block.label_cols[k])
            return None
        found[matches[0]] = k
    if len(found) != len(children):
        missing = "、".join(str(c.get("name", c.get("code"))) for i, c in enumerate(children) if i not in found)
        report.add(block.sheet, block.row + 1, f"判断矩阵缺少下级指标：{missing}", col=block.col)
        return None
    return [found[i] for i in range(len(children))]
