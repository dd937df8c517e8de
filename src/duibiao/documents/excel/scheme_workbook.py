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

import yaml
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from duibiao.documents.excel import workbook as wbk
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


def parse_scheme_workbook(wb, report: ImportReport) -> tuple[str, dict[str, int], list[SchemeRow]]:
    """Rows of the first sheet that has a 考核细则 header; problems go to the report."""
    for ws in wb.worksheets:
        rows = wbk.read_rows(ws)
        for hdr in rows[:15]:
            heads = wbk.header_map(hdr)
            if "一级指标" in heads:
                return ws.title, heads, _scheme_rows(ws, rows, hdr[0].row, heads, report)
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


def apply_scheme_rows(doc: dict, sheet: str, heads: dict[str, int], rows: list[SchemeRow],
                      report: ImportReport) -> SchemeImport:
    """The document with the workbook's rows applied (a deep copy; `doc` is untouched)."""
    new = copy.deepcopy(doc)
    tfs = new.get("taskforces", []) or []
    tf_lookup = {t["code"]: t["code"] for t in tfs} | {t["name"]: t["code"] for t in tfs}
    nodes: dict[tuple[str, ...], dict] = {}
    leaves: dict[str, tuple[dict, tuple[str, ...]]] = {}

    def index(node: dict, path: tuple[str, ...]) -> None:
        for child in node.get("children", []):
            if "children" in child:
                nodes[(*path, child["name"])] = child
                index(child, (*path, child["name"]))
            else:
                leaves[child["code"]] = (child, path)

    index(new["tree"], ())
    adj = new.get("adjustments") or {}
    items = {i["code"]: i for i in adj.get("items", [])}
    vetoes = {v["code"]: v for v in new.get("vetoes", [])}
    used_codes = set(leaves) | set(items) | set(vetoes) | {n.get("code") for n in nodes.values()}
    seen: dict[str, int] = {}  # code → first workbook row
    placed: dict[int, list[dict]] = {}  # id(parent node) → leaves in workbook order
    new_items: list[dict] = []
    new_vetoes: list[dict] = []
    counts = {"更新": 0, "新增": 0, "删除": 0}

    def cell(row: SchemeRow, header: str) -> object:
        return row.values.get(header)

    def col(header: str) -> int | None:
        return heads.get(header)

    def text(row: SchemeRow, header: str) -> str:
        value = wbk.as_text(cell(row, header))
        return str(wbk.narrow(value)) if header in ("指标代码", "牵头专班") else value

    def set_text(target: dict, key: str, value: str) -> None:
        if value:
            target[key] = value
        else:
            target.pop(key, None)

    def apply_common(row: SchemeRow, target: dict) -> bool:
        """Name, standard, task force and source; True if the row is fine."""
        target["name"] = row.name
        if "评分标准" in heads:
            set_text(target, "standard", text(row, "评分标准"))
        if "数据来源" in heads:
            set_text(target, "source", text(row, "数据来源"))
        if "牵头专班" in heads:
            tf = text(row, "牵头专班")
            if tf and tf not in tf_lookup:
                known = "、".join(t["name"] for t in tfs) or "（方案未定义专班）"
                report.add(sheet, row.row, f"未知的牵头专班“{tf}”，可选：{known}", col=col("牵头专班"),
                           header="牵头专班")
                return False
            set_text(target, "taskforce", tf_lookup.get(tf, ""))
        return True

    def claim(row: SchemeRow, code: str) -> bool:
        if code in seen:
            report.add(sheet, row.row, f"重复的行：与第 {seen[code]} 行是同一指标（{code}）",
                       col=col("指标代码") or row.name_col, header="指标代码" if col("指标代码") else "")
            return False
        seen[code] = row.row
        return True

    def fresh_code(row: SchemeRow, prefix: str) -> str | None:
        code = text(row, "指标代码")
        if code:
            if not CODE_RE.match(code):
                report.add(sheet, row.row, f"指标代码“{code}”只能包含字母、数字和 _ . -",
                           col=col("指标代码"), header="指标代码")
                return None
            if code in used_codes:
                report.add(sheet, row.row, f"指标代码“{code}”已被其他指标或事项使用",
                           col=col("指标代码"), header="指标代码")
                return None
        else:
            n = 1
            while f"{prefix}_{n:02d}" in used_codes:
                n += 1
            code = f"{prefix}_{n:02d}"
        used_codes.add(code)
        return code

    def find(row: SchemeRow, pool: dict[str, dict], kind_label: str, prefer=None) -> dict | None | bool:
        """The existing entry the row stands for; None if new; False on a problem."""
        code = text(row, "指标代码")
        if code:
            if code in pool:
                return pool[code]
            other = code in leaves or code in items or code in vetoes
            if other:
                report.add(sheet, row.row, f"代码“{code}”属于其他类别的指标或事项，不能用于{kind_label}",
                           col=col("指标代码"), header="指标代码")
                return False
            return None
        matches = [e for e in pool.values() if e.get("name") == row.name]
        if prefer is not None and len(matches) > 1:
            matches = [e for e in matches if prefer(e)] or matches
        if len(matches) > 1:
            report.add(sheet, row.row, f"有 {len(matches)} 个名为“{row.name}”的{kind_label}，请填写指标代码区分",
                       col=row.name_col)
            return False
        return matches[0] if matches else None

    leaf_pool = {code: leaf for code, (leaf, _) in leaves.items()}
    for row in rows:
        if row.section == "tree":
            parent = nodes.get(tuple(row.path))
            if parent is None:
                report.add(sheet, row.row, f"上级指标“{' / '.join(row.path)}”不在方案中"
                           "（新增一级指标请先在方案中添加）", col=row.name_col - 1)
                continue
            pts = row.path_points[-1] if row.path_points else None
            if pts is not None and float(parent.get("weight", 1)) != pts:
                parent["weight"] = _num(pts)
            found = find(row, leaf_pool, "指标",
                         prefer=lambda e, p=tuple(row.path): leaves.get(e["code"], (None, None))[1] == p)
            if found is False:
                continue
            weight = _points(cell(row, "分值"), report, sheet, row, col("分值"))
            if weight is None and cell(row, "分值") is None:
                report.add(sheet, row.row, "分值不能为空", col=col("分值"), header="分值")
            if weight is None:
                continue
            if found is None:
                code = fresh_code(row, str(parent["code"]))
                if code is None:
                    continue
                # Most 细则 rows are scored by the task force against the standard text.
                found = {"code": code, "name": row.name, "weight": _num(weight), "kind": "number",
                         "unit_of_measure": "分", "normalise": {"method": "manual", "full": 100}}
                counts["新增"] += 1
            elif float(found.get("weight", 1)) != weight:
                found["weight"] = _num(weight)
            if not claim(row, found["code"]) or not apply_common(row, found):
                continue
            placed.setdefault(id(parent), []).append(found)
        else:
            pool = vetoes if row.section == "veto" else {
                c: i for c, i in items.items() if i.get("type") == row.section}
            label = dict(SECTIONS)[row.section]
            found = find(row, pool, label)
            if found is False:
                continue
            points = None
            if row.section != "veto":
                points = _points(cell(row, "分值"), report, sheet, row, col("分值"))
                if points is None:
                    if cell(row, "分值") is None:
                        report.add(sheet, row.row, f"{label}须填写每次加减的分值", col=col("分值"), header="分值")
                    continue
            if found is None:
                code = fresh_code(row, row.section)
                if code is None:
                    continue
                found = {"code": code, "name": row.name}
                if row.section == "veto":
                    found["effect"] = "zero"  # a new veto zeroes the score until the office says otherwise
                else:
                    found.update(type=row.section, points=_num(points))
                counts["新增"] += 1
            elif points is not None and float(found.get("points", 0)) != points:
                found["points"] = _num(points)
            if not claim(row, found["code"]) or not apply_common(row, found):
                continue
            (new_vetoes if row.section == "veto" else new_items).append(found)

    originals = _entries(doc)
    counts["删除"] = sum(1 for c in originals if c not in seen)
    finals = _entries(new)
    counts["更新"] = sum(1 for c, e in originals.items() if c in seen and finals.get(c) != e)

    def rebuild(node: dict) -> bool:
        """Leaves in workbook order where the first old leaf stood; empty branches go."""
        kids, inserted = [], False
        for child in node.get("children", []):
            if "children" in child:
                if rebuild(child):
                    kids.append(child)
            elif not inserted:
                kids.extend(placed.get(id(node), []))
                inserted = True
        if not inserted:
            kids.extend(placed.get(id(node), []))
        node["children"] = kids
        return bool(kids)

    if not rebuild(new["tree"]) and report.ok:
        report.file_problem("工作簿中没有任何指标行")
    if new_items or adj.get("items"):
        new.setdefault("adjustments", {})["items"] = new_items
    if new_vetoes or new.get("vetoes"):
        new["vetoes"] = new_vetoes
    notes = _weight_notes(new["tree"])
    return SchemeImport(new, new != doc, counts, notes)


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
