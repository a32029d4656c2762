"""
The PDF certificate of an award (A4, generated in-process with reportlab).

It shows the learner, the title, the awarding bodies, the date, the workload, a QR code and the verification
URL. Generated on request; it holds no signature (the verification URL is the proof).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .qr import qr_matrix

__all__ = ["Certificate", "certificate_pdf"]

_FONT, _BOLD = "MicrodegreeVera", "MicrodegreeVeraBold"


@dataclass(frozen=True)
class Certificate:
    """
    What a certificate says, every text already translated.

    Attributes:
        heading (str): e.g. "Achievement record".
        learner_name (str): the learner.
        statement (str): e.g. "has earned".
        title (str): what was earned.
        program_line (str): e.g. "in the micro-degree program Dr. med. KI".
        issuers_label (str): e.g. "Awarded by".
        issuers (tuple[str, ...]): the awarding bodies' names (with their country).
        date_line (str): e.g. "Issued on 2 March 2025".
        workload_line (str): e.g. "Workload: 21 hours, 1 ECTS credit".
        detail_lines (tuple[str, ...]): further lines (result, EQF level, ...).
        verify_label (str): e.g. "Verify this credential:".
        verify_url (str): the public verification page.
        status_line (str): e.g. "Revoked on ... : reason" (empty when valid).
        document_title (str): the PDF's title metadata.
    """

    heading: str
    learner_name: str
    statement: str
    title: str
    program_line: str
    issuers_label: str
    issuers: tuple[str, ...]
    date_line: str
    workload_line: str
    detail_lines: tuple[str, ...]
    verify_label: str
    verify_url: str
    status_line: str
    document_title: str


@cache
def _fonts() -> tuple[str, str]:
    # Bitstream Vera ships with reportlab: full Latin coverage (German umlauts, accents), embedded in the PDF.
    fonts = Path(reportlab.__file__).resolve().parent / "fonts"
    pdfmetrics.registerFont(TTFont(_FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, str(fonts / "VeraBd.ttf")))
    return _FONT, _BOLD


def _centred(canvas: Canvas, text: str, y: float, *, font: str, size: float, width: float) -> float:
    """Draw wrapped, centred text from ``y`` downwards; return the next y."""
    for line in simpleSplit(text, font, size, width) or [""]:
        canvas.setFont(font, size)
        canvas.drawCentredString(A4[0] / 2, y, line)
        y -= size * 1.35
    return y


def _qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(data)
    module = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                canvas.rect(x + column * module, y + size - (row_number + 1) * module, module, module,
                            stroke=0, fill=1)


def certificate_pdf(cert: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF."""
    regular, bold = _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(cert.document_title)
    canvas.setAuthor(", ".join(cert.issuers))
    canvas.setSubject(cert.verify_url)
    width, height = A4
    text_width = width - 50 * mm
    canvas.setStrokeColorRGB(0.72, 0.47, 0.12)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm, stroke=1, fill=0)
    canvas.setFillColorRGB(0.1, 0.13, 0.17)
    y = height - 45 * mm
    y = _centred(canvas, cert.heading.upper(), y, font=bold, size=14, width=text_width) - 14 * mm
    y = _centred(canvas, cert.learner_name, y, font=bold, size=26, width=text_width) - 4 * mm
    y = _centred(canvas, cert.statement, y, font=regular, size=13, width=text_width) - 4 * mm
    y = _centred(canvas, cert.title, y, font=bold, size=20, width=text_width) - 2 * mm
    y = _centred(canvas, cert.program_line, y, font=regular, size=12, width=text_width) - 10 * mm
    y = _centred(canvas, cert.issuers_label, y, font=regular, size=11, width=text_width)
    for issuer in cert.issuers:
        y = _centred(canvas, issuer, y, font=bold, size=13, width=text_width)
    y -= 8 * mm
    for line in (cert.date_line, cert.workload_line, *cert.detail_lines):
        if line:
            y = _centred(canvas, line, y, font=regular, size=11, width=text_width)
    if cert.status_line:
        canvas.setFillColorRGB(0.7, 0.1, 0.1)
        y = _centred(canvas, cert.status_line, y - 4 * mm, font=bold, size=13, width=text_width)
        canvas.setFillColorRGB(0.1, 0.13, 0.17)
    qr_size = 38 * mm
    _qr(canvas, cert.verify_url, x=(width - qr_size) / 2, y=32 * mm, size=qr_size)
    _centred(canvas, cert.verify_label, 27 * mm, font=regular, size=9, width=text_width)
    _centred(canvas, cert.verify_url, 22 * mm, font=regular, size=9, width=text_width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
