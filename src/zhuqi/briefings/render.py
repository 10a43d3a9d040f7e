"""A briefing from its template to Word and PDF.

The template is an HTML Django template (shipped in `templates/briefings/docs/`, or the office's own
version stored in `briefings.Template`). It renders to a small HTML document — h1 title, the 文号,
h2/h3 headings numbered 一、(一), paragraphs, tables and chart images — which is:
  - typeset to PDF by WeasyPrint (Pango; fonts embedded as subsets: Noto CJK from fonts-noto-cjk);
  - walked element by element into a .docx by python-docx, in the style of GB/T 9704 (title 小标宋
    二号, body 仿宋_GB2312 三号, 一、 黑体, (一) 楷体, A4 with its margins).
So both files come from the same rendered text: the same sections and the same numbers.
"""

import base64
import io
from html.parser import HTMLParser
from pathlib import Path

from django.template import engines
from django.template.loader import get_template

from zhuqi.briefings.models import Template

ALLOWED_BLOCKS = {"h1", "h2", "h3", "h4", "p", "table", "img"}


def template_source(kind: str) -> str | None:
    """The office's own template of this kind, or None (the shipped one is used)."""
    found = Template.objects.filter(kind=kind).exclude(body="").first()
    return found.body if found else None


def shipped_source(kind: str) -> str:
    template = get_template(f"briefings/docs/{kind}.html")
    return template.template.source


def render_html(kind: str, context: dict) -> str:
    body = template_source(kind)
    if body is None:
        return get_template(f"briefings/docs/{kind}.html").render(context)
    return engines["django"].from_string(body).render(context)


STYLE = Path(__file__).parent / "styles" / "gbt9704.css"


def to_pdf(html: str) -> bytes:
    """Typesets the document with the GB/T 9704 style sheet (`styles/gbt9704.css`: A4, margins, fonts,
    page numbers as — 1 —)."""
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLE))])


# --- HTML → blocks → .docx --------------------------------------------------------------------


class _Blocks(HTMLParser):
    """The document's blocks in order: (tag, class, runs) for headings and paragraphs, where runs are
    (text, bold); ("table", rows) with rows of (text, is_header) cells; ("img", png bytes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple] = []
        self.current = None  # [tag, class, runs]
        self.bold = 0
        self.skip = 0
        self.table = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = ["", tag == "th"]
        elif tag in ("h1", "h2", "h3", "h4", "p") and self.table is None:
            self.current = [tag, attrs.get("class", ""), []]
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag == "br" and self.current is not None:
            self.current[2].append(("\n", False))
        elif tag == "img":
            src = attrs.get("src", "")
            if src.startswith("data:image/png;base64,"):
                self.blocks.append(("img", base64.b64decode(src.split(",", 1)[1]), attrs.get("alt", "")))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table" and self.table is not None:
            self.blocks.append(("table", [r for r in self.table if r]))
            self.table = None
        elif tag in ("td", "th") and self.cell is not None and self.table:
            self.table[-1].append((" ".join(self.cell[0].split()), self.cell[1]))
            self.cell = None
        elif self.current is not None and tag == self.current[0]:
            tag_, cls, runs = self.current
            if any(t.strip() for t, _b in runs):
                self.blocks.append((tag_, cls, runs))
            self.current = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell[0] += data
        elif self.current is not None:
            text = " ".join(data.split()) if data.strip() else ""
            if text:
                self.current[2].append((text, self.bold > 0))


def blocks_of(html: str) -> list[tuple]:
    parser = _Blocks()
    parser.feed(html)
    return parser.blocks


# GB/T 9704-2012 as Chinese government offices set it in Word.
TITLE_FONT, BODY_FONT, H2_FONT, H3_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def to_docx(html: str) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    for block in blocks_of(html):
        if block[0] == "img":
            document.add_picture(io.BytesIO(block[1]), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            continue
        if block[0] == "table":
            rows = block[1]
            columns = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=columns)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for i, row in enumerate(rows):
                for j, (text, header) in enumerate(row):
                    paragraph = table.cell(i, j).paragraphs[0]
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _font(paragraph.add_run(text), H2_FONT if header else BODY_FONT, 10.5)
            continue
        tag, cls, runs = block
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing = Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        if tag == "h1":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(36)
            name, size, bold = TITLE_FONT, 22, False
        elif "number" in cls or "center" in cls:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            name, size, bold = BODY_FONT, 16, False
        elif "signature" in cls or "date" in cls:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            name, size, bold = BODY_FONT, 16, False
        elif tag == "h2":
            fmt.first_line_indent = Pt(32)
            name, size, bold = H2_FONT, 16, False
        elif tag == "h3":
            fmt.first_line_indent = Pt(32)
            name, size, bold = H3_FONT, 16, True
        else:
            fmt.first_line_indent = Pt(32)
            name, size, bold = BODY_FONT, 16, False
        for text, strong in runs:
            _font(paragraph.add_run(text), name, size, bold or strong)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
