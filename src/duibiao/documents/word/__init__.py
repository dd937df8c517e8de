"""Official documents in the GB/T 9704-2012 format (党政机关公文格式), written with python-docx.

    doc = Bulletin(organ="哈尔滨市道外区考核评价办公室", number="道外考核办〔2026〕7号",
                   title="关于2026年度对标晋位考核结果的通报", date=dt.date(2026, 11, 26))
    doc.heading(1, "总体情况").paragraph("……")
    data = doc.save()  # DOCX bytes
"""

from duibiao.documents.word.bulletin import Bulletin
from duibiao.documents.word.formats import document_date, document_number, heading_label

__all__ = ["Bulletin", "document_date", "document_number", "heading_label"]
