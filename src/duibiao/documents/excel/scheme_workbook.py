"""考核细则 workbook: a scheme version in the classic layout, and the way back.

Layout (one sheet): title row; a version line; the header
``序号 | 一级指标 | 二级指标 [| 三级指标 …] | 分值 | 评分标准 | 牵头专班 | 数据来源 | 指标代码``; the
indicator rows with the upper levels merged vertically (“深化能力作风建设（30分）”); then
sections 加分事项 / 扣分事项 / 一票否决事项 in the same columns. The trailing 指标代码 column is
what lets an import recognise a renamed indicator; without it indicators are matched by name.

The import never builds a document from scratch: it starts from the latest version's YAML
(so normalisation methods, targets, categories, grading … survive untouched) and changes
only what the workbook shows.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Literal

import yaml
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from duibiao.documents.excel import workbook as wbk
from duibiao.documents.excel.judgements import JudgementBlock, apply_judgements, judgement_blocks
from duibiao.documents.excel.problems import ImportReport

LEVEL_NAMES = "一二三四五六七八九"
FIELDS = ("分值", "评分标准", "牵头专班", "数据来源", "指标代码")
SECTIONS = (("bonus", "加分事项"), ("penalty", "扣分事项"), ("veto", "一票否决事项"))
CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
POINTS_RE = re.compile(r"^[+\-－＋]?\s*(\d+(?:\.\d+)?)\s*分?$")
# "深化能力作风建设（30分）": the node's points travel in its merged cell.
LEVEL_RE = re.compile(r"^(.*?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]$")


def _num(value: float | int | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _level_text(node: dict) -> str:
    weight = node.get("weight")
    return f"{node['name']}（{_num(weight)}分）" if weight is not None else str(node.get("name", node["code"]))


def _leaves(node: dict, path: tuple = ()):
    for child in node.get("children", []):
        if "children" in child:
            yield from _leaves(child, (*path, child))
        else:
            yield path, child


# ---------------------------------------------------------------------------------------
# Export


def scheme_workbook_build(*, document: str, title: str, subtitle: str) -> bytes:
    """The 考核细则 workbook of a scheme document (YAML text)."""
    doc = yaml.safe_load(document)
    tf_names = {t["code"]: t["name"] for t in doc.get("taskforces", [])}
    leaves = list(_leaves(doc["tree"]))
    levels = max([2, *(len(path) + 1 for path, _ in leaves)])
    headers = ["序号", *(f"{LEVEL_NAMES[i]}级指标" for i in range(levels)), *FIELDS]
    ncol = len(headers)
    c_weight, c_std, c_tf, c_src, c_code = (levels + 2 + i for i in range(5))

    wb = Workbook()
    ws = wb.active
    ws.title = "考核细则"
    ws.append([title])
    ws.append([subtitle])
    ws.append(headers)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    ws["A1"].font, ws["A1"].alignment = wbk.TITLE, wbk.CENTER
    ws["A2"].font, ws["A2"].alignment = wbk.NOTE, wbk.CENTER
    ws.row_dimensions[1].height = 30
    for cell in ws[3]:
        cell.font, cell.fill, cell.alignment, cell.border = wbk.HEADER, wbk.HEADER_FILL, wbk.CENTER, wbk.BORDER

    weight_dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                               allow_blank=True, showErrorMessage=True, errorTitle="分值",
                               error="分值应为不小于 0 的数字")
    ws.add_data_validation(weight_dv)
    names = ",".join(tf_names.values())
    if tf_names and len(names) < 250 and '"' not in names:  # Excel's inline list limit
        tf_dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True,
                               showErrorMessage=True, errorTitle="牵头专班", error="请从列表中选择专班")
        ws.add_data_validation(tf_dv)
    else:
        tf_dv = None

    def item_row(number, levels_text: list[str], leaf: dict, weight) -> int:
        r = ws.max_row + 1
        values = [number, *levels_text, *([None] * (levels - len(levels_text))), weight,
                  leaf.get("standard"), tf_names.get(leaf.get("taskforce", ""), leaf.get("taskforce")),
                  leaf.get("source"), leaf["code"]]
        ws.append(values)
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.font, cell.border = wbk.BODY, wbk.BORDER
            cell.alignment = wbk.CENTER if c in (1, c_weight, c_tf, c_code) or c <= levels else wbk.WRAP
        if len(levels_text) < levels:  # a shallow leaf spans the remaining level columns
            ws.merge_cells(start_row=r, start_column=1 + len(levels_text), end_row=r, end_column=1 + levels)
        weight_dv.add(ws.cell(r, c_weight))
        if tf_dv is not None:
            tf_dv.add(ws.cell(r, c_tf))
        return r

    # Indicator rows, then merge each upper level over the rows it spans.
    spans: list[tuple[int, int, int]] = []  # (column, first row, last row)
    open_spans: dict[int, tuple[int, int]] = {}  # column → (node id, first row)
    for n, (path, leaf) in enumerate(leaves, 1):
        r = item_row(n, [*(_level_text(p) for p in path), leaf["name"]], leaf, _num(leaf.get("weight", 1)))
        for depth in range(levels - 1):
            col = 2 + depth
            node_id = id(path[depth]) if depth < len(path) else None
            prev = open_spans.get(col)
            if prev and prev[0] != node_id:
                spans.append((col, prev[1], r - 1))
                open_spans.pop(col)
            if node_id is not None and col not in open_spans:
                open_spans[col] = (node_id, r)
    last = ws.max_row
    spans.extend((col, first, last) for col, (_, first) in open_spans.items())

    # 加分事项 / 扣分事项 / 一票否决事项: a heading across the sheet, then the items.
    adjustments = doc.get("adjustments", {}) or {}
    groups = {
        "bonus": [i for i in adjustments.get("items", []) if i.get("type") == "bonus"],
        "penalty": [i for i in adjustments.get("items", []) if i.get("type") == "penalty"],
        "veto": list(doc.get("vetoes", [])),
    }
    caps = {"bonus": adjustments.get("bonus_cap"), "penalty": adjustments.get("penalty_cap")}
    for key, label in SECTIONS:
        items = groups[key]
        if not items:
            continue
        heading = label
        if caps.get(key) is not None:
            heading += f"（合计最高{'加' if key == 'bonus' else '扣'} {_num(caps[key])} 分）"
        ws.append([heading])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        ws.cell(r, 1).font, ws.cell(r, 1).fill = wbk.HEADER, wbk.SECTION_FILL
        first = r + 1
        for n, item in enumerate(items, 1):
            points = None if key == "veto" else _num(item.get("points"))
            item_row(n, [label, item["name"]], item, points)
        spans.append((2, first, ws.max_row))

    for col, first, end in spans:
        if end > first:
            ws.merge_cells(start_row=first, start_column=col, end_row=end, end_column=col)

    widths = {1: 6.0, c_weight: 8.0, c_std: 50.0, c_tf: 16.0, c_src: 22.0, c_code: 10.0}
    for depth in range(levels):
        col = 2 + depth
        widths[col] = wbk.fit_width([ws.cell(r, col).value for r in range(4, ws.max_row + 1)], low=12, high=30)
    wbk.set_widths(ws, widths)
    ws.freeze_panes = "A4"
    wbk.print_setup(ws, header_rows="3:3")
    return wbk.save_bytes(wb)


# ---------------------------------------------------------------------------------------
# Import


@dataclass
class SchemeRow:
    row: int
    section: str  # "tree", "bonus", "penalty" or "veto"
    path: list[str]  # upper level names (without points), top first
    path_points: list[float | None]
    name: str
    name_col: int
    values: dict[str, object] = field(default_factory=dict)  # header → value (only columns present)


@dataclass
class SchemeImport:
    """The outcome of applying a workbook to a document: the new document and a summary."""

    document: dict
    changed: bool
    counts: dict[str, int]
    notes: list[str]


def _section_of(text: str) -> str | None:
    if text.startswith("加分"):
        return "bonus"
    if text.startswith("扣分"):
        return "penalty"
    if text.startswith("一票否决"):
        return "veto"
    return None


def _entries(doc: dict) -> dict[str, dict]:
    """Every leaf, adjustment item and veto of a document by code."""
    out = {leaf["code"]: leaf for _, leaf in _leaves(doc["tree"])}
    out.update({i["code"]: i for i in (doc.get("adjustments") or {}).get("items", [])})
    out.update({v["code"]: v for v in doc.get("vetoes", [])})
    return out


def parse_scheme_workbook(
    wb, report: ImportReport
) -> tuple[str, dict[str, int], list[SchemeRow | JudgementBlock]]:
    """Rows of the first sheet that has a 考核细则 header, then the AHP judgement blocks of
    any 判断矩阵 sheet (see judgements.py); problems go to the report."""
    for ws in wb.worksheets:
        rows = wbk.read_rows(ws)
        for hdr in rows[:15]:
            heads = wbk.header_map(hdr)
            if "一级指标" in heads:
                found: list[SchemeRow | JudgementBlock] = [*_scheme_rows(ws, rows, hdr[0].row, heads, report)]
                return ws.title, heads, found + judgement_blocks(wb, report)
    report.file_problem("未找到考核细则表头（应包含“一级指标”“二级指标”“分值”等列）")
    return "", {}, []


def _scheme_rows(ws, rows, header_row: int, heads: dict[str, int], report: ImportReport) -> list[SchemeRow]:
    sheet = ws.title
    level_cols = [heads[f"{LEVEL_NAMES[i]}级指标"] for i in range(9) if f"{LEVEL_NAMES[i]}级指标" in heads]
    if len(level_cols) < 2:
        report.add(sheet, header_row, "缺少“二级指标”列", header="二级指标")
    if "分值" not in heads:
        report.add(sheet, header_row, "缺少“分值”列", header="分值")
    if len(level_cols) < 2 or "分值" not in heads:
        return []
    grid = {(c.row, c.col): c for row in rows for c in row}
    wbk.fill_merged(ws, grid)
    out: list[SchemeRow] = []
    section = "tree"
    carried: list[str | None] = [None] * len(level_cols)  # blank level cells mean "as above"
    first_col = heads.get("序号", 1)
    last_row = max((r for r, _ in grid), default=header_row)
    for r in range(header_row + 1, last_row + 1):
        levels = [wbk.as_text(grid[(r, c)].value) if (r, c) in grid else "" for c in level_cols]
        fields = {h: grid[(r, heads[h])].value for h in FIELDS if h in heads and (r, heads[h]) in grid}
        lead = wbk.as_text(grid[(r, first_col)].value) if (r, first_col) in grid else ""
        if not any(levels) and not any(v is not None for v in fields.values()):
            if lead and _section_of(lead):  # a heading row: 加分事项（合计最高加 5 分）
                section = _section_of(lead) or section
                carried = [None] * len(level_cols)
            continue
        # Fill blank upper levels from the row above (hand-made sheets often leave them blank
        # instead of merging). The deepest non-empty level is the indicator itself.
        filled = [lv or (carried[i] or "") for i, lv in enumerate(levels)]
        depth = max(i for i, lv in enumerate(levels) if lv) if any(levels) else -1
        if depth <= 0:
            report.add(sheet, r, "缺少指标名称", col=level_cols[-1], header="二级指标")
            continue
        carried = [*filled[:depth], *([None] * (len(level_cols) - depth))]
        path_raw, name = filled[:depth], filled[depth]
        path, points = [], []
        for text in path_raw:
            m = LEVEL_RE.match(text)
            path.append(m.group(1) if m else text)
            points.append(float(m.group(2)) if m else None)
        row_section = _section_of(path[0]) if path else None
        out.append(SchemeRow(r, row_section or (section if section != "tree" else "tree"),
                             path, points, name, level_cols[depth], fields))
    return out


def _points(cell, report: ImportReport, sheet: str, row: SchemeRow, col: int | None) -> float | None:
    value = cell
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        report.add(sheet, row.row, f"分值“{wbk.as_text(value)}”不是数字", col=col, header="分值")
        return None
    if isinstance(value, str):
        m = POINTS_RE.match(str(wbk.narrow(value)))
        if not m:
            report.add(sheet, row.row, f"分值“{value}”不是数字", col=col, header="分值")
            return None
        return float(m.group(1))
    if value < 0:
        report.add(sheet, row.row, "分值不能为负数（扣分事项填写每次扣的分数）", col=col, header="分值")
        return None
    return float(value)


@dataclass
class _Apply:
    """The state of one import while its rows are applied: the copy being edited, what it
    already holds (by path and by code), and what the rows have claimed so far."""

    doc: dict
    sheet: str
    heads: dict[str, int]
    report: ImportReport
    nodes: dict[tuple[str, ...], dict] = field(default_factory=dict)  # branch path → node
    leaves: dict[str, tuple[dict, tuple[str, ...]]] = field(default_factory=dict)  # code → leaf, path
    items: dict[str, dict] = field(default_factory=dict)  # adjustment items by code
    vetoes: dict[str, dict] = field(default_factory=dict)
    leaf_pool: dict[str, dict] = field(default_factory=dict)  # leaves by code, for _find
    used_codes: set[str | None] = field(default_factory=set)  # taken: a new code never collides
    seen: dict[str, int] = field(default_factory=dict)  # code → first workbook row
    placed: dict[int, list[dict]] = field(default_factory=dict)  # id(parent) → leaves, in order
    new_items: list[dict] = field(default_factory=list)
    new_vetoes: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"更新": 0, "新增": 0, "删除": 0})

    @property
    def taskforces(self) -> list[dict]:
        return self.doc.get("taskforces", []) or []

    @property
    def tf_lookup(self) -> dict[str, str]:
        """A task force by code or by name → its code."""
        return {t["code"]: t["code"] for t in self.taskforces} | {t["name"]: t["code"] for t in self.taskforces}

    def col(self, header: str) -> int | None:
        return self.heads.get(header)

    def problem(self, row: SchemeRow, reason: str, header: str = "", col: int | None = None) -> None:
        """A problem in the row, pinned to the header's column (or ``col``)."""
        self.report.add(self.sheet, row.row, reason, col=self.col(header) if col is None else col, header=header)


def _index(node: dict, path: tuple[str, ...], state: _Apply) -> None:
    for child in node.get("children", []):
        if "children" in child:
            state.nodes[(*path, child["name"])] = child
            _index(child, (*path, child["name"]), state)
        else:
            state.leaves[child["code"]] = (child, path)


def _start(new: dict, sheet: str, heads: dict[str, int], report: ImportReport) -> _Apply:
    state = _Apply(new, sheet, heads, report)
    _index(new["tree"], (), state)
    state.leaf_pool = {code: leaf for code, (leaf, _) in state.leaves.items()}
    state.items = {i["code"]: i for i in (new.get("adjustments") or {}).get("items", [])}
    state.vetoes = {v["code"]: v for v in new.get("vetoes", [])}
    state.used_codes = (set(state.leaves) | set(state.items) | set(state.vetoes)
                        | {n.get("code") for n in state.nodes.values()})
    return state


def _cell(row: SchemeRow, header: str) -> object:
    return row.values.get(header)


def _text(row: SchemeRow, header: str) -> str:
    value = wbk.as_text(_cell(row, header))
    return str(wbk.narrow(value)) if header in ("指标代码", "牵头专班") else value


def _set_text(target: dict, key: str, value: str) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)


def _apply_common(state: _Apply, row: SchemeRow, target: dict) -> bool:
    """Name, standard, task force and source; True if the row is fine."""
    target["name"] = row.name
    if "评分标准" in state.heads:
        _set_text(target, "standard", _text(row, "评分标准"))
    if "数据来源" in state.heads:
        _set_text(target, "source", _text(row, "数据来源"))
    if "牵头专班" in state.heads:
        tf = _text(row, "牵头专班")
        lookup = state.tf_lookup
        if tf and tf not in lookup:
            known = "、".join(t["name"] for t in state.taskforces) or "（方案未定义专班）"
            state.problem(row, f"未知的牵头专班“{tf}”，可选：{known}", "牵头专班")
            return False
        _set_text(target, "taskforce", lookup.get(tf, ""))
    return True


def _claim(state: _Apply, row: SchemeRow, code: str) -> bool:
    """Each entry once: a second row for the same code is a problem."""
    if code in state.seen:
        has_code = bool(state.col("指标代码"))
        state.problem(row, f"重复的行：与第 {state.seen[code]} 行是同一指标（{code}）",
                      "指标代码" if has_code else "", state.col("指标代码") or row.name_col)
        return False
    state.seen[code] = row.row
    return True


def _fresh_code(state: _Apply, row: SchemeRow, prefix: str) -> str | None:
    """The code of a new entry: the row's own if valid and free, else PREFIX_NN."""
    code = _text(row, "指标代码")
    if code:
        if not CODE_RE.match(code):
            state.problem(row, f"指标代码“{code}”只能包含字母、数字和 _ . -", "指标代码")
            return None
        if code in state.used_codes:
            state.problem(row, f"指标代码“{code}”已被其他指标或事项使用", "指标代码")
            return None
    else:
        n = 1
        while f"{prefix}_{n:02d}" in state.used_codes:
            n += 1
        code = f"{prefix}_{n:02d}"
    state.used_codes.add(code)
    return code


def _find(state: _Apply, row: SchemeRow, pool: dict[str, dict], kind_label: str,
          prefer=None) -> dict | None | Literal[False]:
    """The existing entry the row stands for; None if new; False on a problem."""
    code = _text(row, "指标代码")
    if code:
        if code in pool:
            return pool[code]
        if code in state.leaves or code in state.items or code in state.vetoes:
            state.problem(row, f"代码“{code}”属于其他类别的指标或事项，不能用于{kind_label}", "指标代码")
            return False
        return None
    matches = [e for e in pool.values() if e.get("name") == row.name]
    if prefer is not None and len(matches) > 1:
        matches = [e for e in matches if prefer(e)] or matches
    if len(matches) > 1:
        state.report.add(state.sheet, row.row, f"有 {len(matches)} 个名为“{row.name}”的{kind_label}，请填写指标代码区分",
                         col=row.name_col)
        return False
    return matches[0] if matches else None


def _apply_tree_row(state: _Apply, row: SchemeRow) -> None:
    """An indicator row: update the leaf it names (by code, else by name under its path) or
    add one; an upper level's points in its merged cell update that branch's weight."""
    parent = state.nodes.get(tuple(row.path))
    if parent is None:
        state.report.add(state.sheet, row.row, f"上级指标“{' / '.join(row.path)}”不在方案中"
                         "（新增一级指标请先在方案中添加）", col=row.name_col - 1)
        return
    pts = row.path_points[-1] if row.path_points else None
    if pts is not None and float(parent.get("weight", 1)) != pts:
        parent["weight"] = _num(pts)
    path = tuple(row.path)
    found = _find(state, row, state.leaf_pool, "指标", prefer=lambda e: state.leaves.get(e["code"], (None, None))[1] == path)
    if found is False:
        return
    weight = _points(_cell(row, "分值"), state.report, state.sheet, row, state.col("分值"))
    if weight is None and _cell(row, "分值") is None:
        state.problem(row, "分值不能为空", "分值")
    if weight is None:
        return
    if found is None:
        code = _fresh_code(state, row, str(parent["code"]))
        if code is None:
            return
        # Most 细则 rows are scored by the task force against the standard text.
        found = {"code": code, "name": row.name, "weight": _num(weight), "kind": "number",
                 "unit_of_measure": "分", "normalise": {"method": "manual", "full": 100}}
        state.counts["新增"] += 1
    elif float(found.get("weight", 1)) != weight:
        found["weight"] = _num(weight)
    if _claim(state, row, found["code"]) and _apply_common(state, row, found):
        state.placed.setdefault(id(parent), []).append(found)


def _apply_section_row(state: _Apply, row: SchemeRow) -> None:
    """A 加分 / 扣分 / 一票否决 row: update the item or veto it names, or add one."""
    is_veto = row.section == "veto"
    pool = state.vetoes if is_veto else {c: i for c, i in state.items.items() if i.get("type") == row.section}
    label = dict(SECTIONS)[row.section]
    found = _find(state, row, pool, label)
    if found is False:
        return
    points = None
    if not is_veto:
        points = _points(_cell(row, "分值"), state.report, state.sheet, row, state.col("分值"))
        if points is None:
            if _cell(row, "分值") is None:
                state.problem(row, f"{label}须填写每次加减的分值", "分值")
            return
    if found is None:
        code = _fresh_code(state, row, row.section)
        if code is None:
            return
        found = {"code": code, "name": row.name}
        if is_veto:
            found["effect"] = "zero"  # a new veto zeroes the score until the office says otherwise
        else:
            found.update(type=row.section, points=_num(points))
        state.counts["新增"] += 1
    elif points is not None and float(found.get("points", 0)) != points:
        found["points"] = _num(points)
    if _claim(state, row, found["code"]) and _apply_common(state, row, found):
        (state.new_vetoes if is_veto else state.new_items).append(found)


def _rebuild(node: dict, placed: dict[int, list[dict]]) -> bool:
    """Leaves in workbook order where the first old leaf stood; empty branches go."""
    kids, inserted = [], False
    for child in node.get("children", []):
        if "children" in child:
            if _rebuild(child, placed):
                kids.append(child)
        elif not inserted:
            kids.extend(placed.get(id(node), []))
            inserted = True
    if not inserted:
        kids.extend(placed.get(id(node), []))
    node["children"] = kids
    return bool(kids)


def apply_scheme_rows(doc: dict, sheet: str, heads: dict[str, int], rows: list[SchemeRow | JudgementBlock],
                      report: ImportReport) -> SchemeImport:
    """The document with the workbook's rows applied (a deep copy; `doc` is untouched):
    the 细则 rows, then the judgement matrices, which set their nodes' AHP weights."""
    new = copy.deepcopy(doc)
    state = _start(new, sheet, heads, report)
    blocks = [r for r in rows if isinstance(r, JudgementBlock)]
    for row in rows:
        if isinstance(row, JudgementBlock):
            continue
        if row.section == "tree":
            _apply_tree_row(state, row)
        else:
            _apply_section_row(state, row)
    originals = _entries(doc)
    state.counts["删除"] = sum(1 for c in originals if c not in state.seen)
    finals = _entries(new)
    state.counts["更新"] = sum(1 for c, e in originals.items() if c in state.seen and finals.get(c) != e)
    if not _rebuild(new["tree"], state.placed) and report.ok:
        report.file_problem("工作簿中没有任何指标行")
    if state.new_items or (new.get("adjustments") or {}).get("items"):
        new.setdefault("adjustments", {})["items"] = state.new_items
    if state.new_vetoes or new.get("vetoes"):
        new["vetoes"] = state.new_vetoes
    notes = _weight_notes(new["tree"])
    done = apply_judgements(new, blocks, report) if blocks else 0
    if done:
        notes.append(f"已按判断矩阵更新 {done} 个节点的权重（层次分析法）")
    return SchemeImport(new, new != doc, state.counts, notes)


def _weight_notes(node: dict, notes: list[str] | None = None) -> list[str]:
    """Classic 细则 expect a level's points to be the sum of its rows; the engine only uses
    the ratios, so a mismatch is legal but worth telling the office."""
    notes = [] if notes is None else notes
    for child in node.get("children", []):
        if "children" not in child:
            continue
        kids = child["children"]
        if child.get("weight") is not None and all("weight" in k for k in kids):
            total = sum(float(k["weight"]) for k in kids)
            if abs(total - float(child["weight"])) > 1e-9:
                notes.append(f"“{child['name']}”下各项分值合计 {_num(total)}，与其分值 {_num(child['weight'])} "
                             "不一致（计分时按比例折算）")
        _weight_notes(child, notes)
    return notes


def dump_document(doc: dict, *, header: str) -> str:
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=4096)
    return f"# {header}\n{body}"
