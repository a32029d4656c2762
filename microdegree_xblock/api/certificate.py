"""
The award's PDF certificate (A4), in the active language, drawn by ``credentials.pdf`` from plain texts.
"""
from __future__ import annotations

import uuid

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..credentials import pdf
from ..data import DEGREE
from ..exceptions import PrivateCredential
from ..labels import kind_label
from .documents import get_credential_page

__all__ = ["get_certificate_pdf"]


def get_certificate_pdf(*, award_id: str | uuid.UUID, viewer_id: int | None = None) -> bytes:
    """
    The award's PDF certificate (A4), in the active language.

    Raises:
        UnknownAward: unknown id.
        PrivateCredential: the learner made it private and ``viewer_id`` is not theirs.
    """
    page = get_credential_page(award_id=award_id)
    if page.hidden_from(viewer_id):
        raise PrivateCredential(page.award.id)
    facts, ach, figures = page.facts, page.facts.achievement, page.figures
    recognition = ach.recognition
    workload = _("Workload: %(hours)s hours") % {"hours": figures["hours"]}
    if figures["ects"] is not None:
        workload += ", " + _("%(ects)s ECTS credits") % {"ects": figures["ects"]}
    details = []
    if page.credits is not None:
        details.append(_("Credits: %(credits)s") % {"credits": page.credits})
    if figures["value"] is not None and recognition is not None:
        details.append(_("Result: %(value)s %% (required by %(body)s: %(threshold)s %%)") % {
            "value": figures["value"], "body": ach.lead.name, "threshold": figures["threshold"] or "-"})
    elif figures["value"] is not None:
        details.append(_("Result: %(value)s %% (required: %(threshold)s %%)") % {
            "value": figures["value"], "threshold": figures["threshold"] or "-"})
    if recognition is not None and recognition.condition and facts.condition is not None and facts.condition.passed:
        details.append(_("%(condition)s: passed on %(date)s") % {
            "condition": recognition.condition, "date": date_format(facts.condition.taken_on, "DATE_FORMAT")}
            + (f" ({facts.condition.result})" if facts.condition.result else ""))
    if ach.eu.eqf_level:
        details.append(_("EQF level %(level)s") % {"level": ach.eu.eqf_level})
    status = ""
    if page.award.revoked_on is not None:
        status = _("Revoked on %(date)s: %(reason)s") % {
            "date": date_format(page.award.revoked_on, "DATE_FORMAT"), "reason": page.award.revoked_reason}
    cert = pdf.Certificate(
        heading=str(kind_label(ach.kind)), learner_name=facts.learner_name, statement=_("has earned"),
        title=ach.name,
        program_line=("" if ach.kind == DEGREE  # the degree's title is the program's
                      else _("in the micro-degree program %(program)s") % {"program": ach.program_title}),
        # A recognition is issued by its recognising body alone (docs/decisions/0040).
        issuers_label=_("Recognised by") if recognition is not None else _("Awarded by"),
        issuers=tuple(f"{i.name} ({i.country})" for i in ach.issuers),
        date_line=_("Issued on %(date)s") % {"date": date_format(facts.issued_on, "DATE_FORMAT")},
        workload_line=workload, detail_lines=tuple(details), verify_label=_("Verify this credential:"),
        verify_url=page.links["verify_url"], status_line=status, document_title=f"{ach.name} – {facts.learner_name}",
    )
    return pdf.certificate_pdf(cert)
