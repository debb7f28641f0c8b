"""What the parts of :mod:`pilotflow.files.materials` share: the formats and their names, the
bounds every inspection keeps to, and the refusals any check may raise."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...errors import MaterialRejected

#: The media type recorded for each format pilotflow can check.
MEDIA_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "mp4": "video/mp4",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The formats pilotflow can check, i.e. that a material type's ``formats`` may usefully name.
CHECKED_FORMATS = frozenset(MEDIA_TYPES)

# What to call a format in a message: (English, Chinese).
_NAMES: Mapping[str, tuple[str, str]] = {
    "pdf": ("a PDF document", "PDF 文档"),
    "docx": ("a Word document (.docx)", "Word 文档（.docx）"),
    "doc": ("a Word 97-2003 document (.doc)", "Word 97-2003 文档（.doc）"),
    "mp4": ("an MP4 video", "MP4 视频"),
    "fmp4": ("a fragmented MP4 video", "分片 MP4 视频"),
    "docm": ("a macro-enabled Word document (.docm)", "启用宏的 Word 文档（.docm）"),
    "dotx": ("a Word template (.dotx)", "Word 模板（.dotx）"),
    "dotm": ("a macro-enabled Word template (.dotm)", "启用宏的 Word 模板（.dotm）"),
    "mov": ("a QuickTime movie (.mov)", "QuickTime 视频（.mov）"),
    "3gp": ("a 3GP mobile video", "3GP 手机视频"),
    "m4a": ("an MPEG-4 audio file (.m4a)", "MPEG-4 音频（.m4a）"),
    "heif": ("a HEIF/AVIF image", "HEIF/AVIF 图片"),
    "xlsx": ("an Excel workbook (.xlsx)", "Excel 工作簿（.xlsx）"),
    "xlsm": ("a macro-enabled Excel workbook (.xlsm)", "启用宏的 Excel 工作簿（.xlsm）"),
    "xltx": ("an Excel template (.xltx)", "Excel 模板（.xltx）"),
    "xltm": ("a macro-enabled Excel template (.xltm)", "启用宏的 Excel 模板（.xltm）"),
    "pptx": ("a PowerPoint presentation (.pptx)", "PowerPoint 演示文稿（.pptx）"),
    "ofd": ("an OFD document", "OFD 版式文档"),
    "odf": ("an OpenDocument file", "OpenDocument 文档"),
    "zip": ("a ZIP archive", "ZIP 压缩包"),
    "ole2": (
        "an Office 97-2003 file that is not a Word document (e.g. .xls, .ppt)",
        "非 Word 的 Office 97-2003 文件（如 .xls、.ppt）",
    ),
    "cfb": ("an Office 97-2003 file", "Office 97-2003 文件"),
    "rtf": ("an RTF document", "RTF 文档"),
    "html": ("a web page (HTML)", "网页（HTML）"),
    "mht": ("a single-file web page (MHT)", "单个文件网页（MHT）"),
    "png": ("a PNG image", "PNG 图片"),
    "jpeg": ("a JPEG image", "JPEG 图片"),
    "gif": ("a GIF image", "GIF 图片"),
    "rar": ("a RAR archive", "RAR 压缩包"),
    "7z": ("a 7-Zip archive", "7-Zip 压缩包"),
    "gzip": ("a gzip archive", "gzip 压缩包"),
    "exe": ("a Windows program", "Windows 可执行程序"),
    "elf": ("a Linux program", "Linux 可执行程序"),
    "mkv": ("a Matroska/WebM video", "Matroska/WebM 视频"),
    "avi": ("an AVI video", "AVI 视频"),
    "wmv": ("a Windows Media file", "Windows Media 文件"),
    "flv": ("a Flash video", "Flash 视频"),
}


# Bounds on what an inspection reads, holds and walks, whatever the file claims
# (docs/materials.md, "Bounded whatever the file claims"; benchmarks/bench_files.py).
_MAX_BOXES = 10_000  # MP4 boxes walked in the whole file
_MAX_MP4_TABLE = 8 << 20  # bytes of one MP4 sample table
_MAX_SAMPLES = 500_000  # samples of all the video tracks together
_MAX_ZIP_ENTRIES = 10_000  # parts of a .docx or .xlsx
_MAX_XLSX_SHEETS = 1_000  # sheets of a workbook
_MAX_XLSX_ROWS = 200_000  # rows read from all the sheets of a workbook
_MAX_XLSX_CELLS = 2_000_000  # cells read from all the sheets of a workbook
_MAX_ZIP_DIRECTORY = 2 << 20  # bytes read to load a ZIP's central directory
_CHUNK_IN = 1 << 16  # compressed bytes inflated at a time
_CHUNK_OUT = 1 << 20  # most bytes one inflate step may produce
_XML_FEED = 1 << 18  # bytes of XML parsed between two prunings of the tree
_MAX_XML_BYTES = 32 << 20  # bytes of XML in all the parts of a .docx
_MAX_XML_SMALL = 1 << 20  # bytes of [Content_Types].xml (twice that for _rels/.rels)
_MAX_XML_TAG = 1 << 16  # bytes of one XML tag
_MAX_XML_WANTED = 20_000  # content types or relationships kept
_MAX_XML_NAMESPACES = 100_000  # namespace declarations in all the XML parts of a .docx
_XML_PROLOG = 1 << 16  # bytes before an XML part's root element
_PDF_TAIL = 2048  # bytes at the end of a PDF that must hold startxref and %%EOF
_PDF_READ_BUDGET = 4 << 20  # bytes pypdf may read
_PDF_MAX_STREAM = 16 << 20  # bytes one PDF stream may declare or decode to
_PDF_DECODE_BUDGET = 32 << 20  # bytes pypdf may decode from all the streams of a PDF
_PDF_RECOVERY_MAX = 4 << 20  # largest PDF given pypdf's lenient recovery
_MAX_PDF_OBJECTS = 100_000
_MAX_PDF_PAGES = 10_000
_MAX_PDF_ACTION_NODES = 10_000  # annotations, fields and actions looked at for active content


def _name(fmt: str) -> tuple[str, str]:
    return _NAMES.get(fmt, ("a file of unknown type", "无法识别类型的文件"))


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = re.sub(r"^file '.*' is not a Word file", "not a Word file", text)
    text = text if len(text) <= 200 else text[:197] + "..."
    name = type(exc).__name__
    if name == "error":  # some modules call all their exceptions "error"
        name = f"{type(exc).__module__}.error"
    return f"{name}: {text}" if text else name


def _corrupt(shown: str, fmt: str, exc: BaseException | str) -> MaterialRejected:
    what_en, what_zh = _name(fmt)
    complaint = exc if isinstance(exc, str) else _summary(exc)
    return MaterialRejected(
        "corrupt",
        shown,
        f"the file looks like {what_en} but is damaged or invalid ({complaint})",
        f"文件看似{what_zh}，但已损坏或无效，请重新保存或导出后再提交",  # (the parser's words: en)
        {"detected": fmt, "complaint": complaint},
    )


def _too_complex(shown: str, fmt: str, what_en: str, what_zh: str) -> MaterialRejected:
    name_en, name_zh = _name(fmt)
    return MaterialRejected(
        "too_complex",
        shown,
        f"the file is {name_en} whose structure is beyond what is checked ({what_en}); "
        "save or export it again in a simpler form",
        f"该文件是{name_zh}，但结构超出可检查的范围（{what_zh}），请重新保存或导出为更简单的形式",
        {"detected": fmt, "limit": what_en},
    )


def _inconsistent(shown: str, fmt: str, what_en: str, what_zh: str) -> MaterialRejected:
    name_en, name_zh = _name(fmt)
    return MaterialRejected(
        "inconsistent",
        shown,
        f"the file looks like {name_en} but its content does not match what its headers claim ({what_en})",
        f"文件看似{name_zh}，但内容与文件头的声明不符（{what_zh}）",
        {"detected": fmt, "complaint": what_en},
    )


def _encrypted_office(shown: str) -> MaterialRejected:
    return MaterialRejected(
        "encrypted",
        shown,
        "this is a password-protected Office document; save it without a password",
        "这是设置了密码保护的 Office 文档，请取消密码后重新保存",
    )
