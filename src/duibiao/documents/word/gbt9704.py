"""The numbers of GB/T 9704-2012 (党政机关公文格式) this engine lays out, in one place."""

from __future__ import annotations

# §5.2.1 A4; §5.2.2 版心 156 × 225 mm with the top margin (天头) 37 mm and the left margin
# (订口) 28 mm, so the bottom is 297 − 37 − 225 = 35 mm and the right 210 − 28 − 156 = 26 mm.
PAGE_W_MM, PAGE_H_MM = 210, 297
TOP_MM, LEFT_MM, BOTTOM_MM, RIGHT_MM = 37, 28, 35, 26
TEXT_W_MM, TEXT_H_MM = 156, 225

# §5.2.4 22 lines of 28 characters. The line pitch is the 版心 height over 22 lines in twips
# (12756 / 22 = 579.8); charSpace is how much each character cell is narrower than the default
# font (16 pt) in 1/4096 pt: 156 mm / 28 = 15.793 pt, (15.793 − 16) × 4096 ≈ −849.
LINES, CHARS = 22, 28
LINE_PITCH = 579
CHAR_SPACE = -849

# Font sizes (§5.2.3): 2号 22 pt, 3号 16 pt, 4号 14 pt.
TITLE_PT = 22.0
BODY_PT = 16.0
FOOTER_PT = 14.0
IMPRINT_PT = 14.0
TABLE_PT = 12.0  # 小四: tables of rankings need the width; the standard leaves tables open
ORGAN_PT = 36.0  # 小初; shrunk for a long name so the mark stays on one line of the 版心

# Fonts as Chinese offices have them, and what stands in where one is missing.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
FONT_FALLBACKS = (
    # (name, altName, family) — family "roman" for serif faces, "modern"/"swiss" for sans.
    (TITLE_FONT, "宋体", "roman"),
    (BODY_FONT, "仿宋", "modern"),
    (HEI_FONT, "SimHei", "modern"),
    (KAI_FONT, "楷体", "modern"),
    (SONG_FONT, "SimSun", "roman"),
)
# The font and weight of each heading level (§7.3.3): 一、 黑体, （一） 楷体, 1. and （1） 仿宋.
HEADING_FONTS = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}

RED = "FF0000"
# §7.2.5 the red rule under the document number, 4 mm below it; the 版记 rules (§7.4.1):
# 0.35 mm outer (≈ 1 pt = 8 eighths) and 0.25 mm inner (≈ 0.75 pt = 6 eighths).
RED_RULE_EIGHTHS = 12
RULE_OUTER_EIGHTHS = 8
RULE_INNER_EIGHTHS = 6
RED_RULE_GAP_PT = 11  # 4 mm

# §7.5 page numbers 7 mm below the 版心: the footer sits 35 − 7 mm from the page edge less
# the height of a 4号 line.
FOOTER_DISTANCE_MM = 23
# §7.2.2 the mark's top edge 35 mm below the 版心's top (for 文件 and 通报 of an office).
ORGAN_TOP_MM = 35
