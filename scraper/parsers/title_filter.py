"""The crawl-time pre-filter: does a title belong to the Medical Assistant role family?

Deliberately simple and generous. Sources that return every job an employer has (Greenhouse,
Lever, career-page sitemaps) are cut down to MA-family titles before detail pages are fetched;
the matcher decides ``is_ma_role`` precisely later, so a look-alike that slips through costs
little, while a real MA posting dropped here is lost for good.
"""

from __future__ import annotations

import re

_INCLUDE = re.compile(
    r"""
    medical\s+assist(?:ant|ing)                      # Medical Assistant, Certified Medical Assistant
    | medical\s+office\s+assistant
    | medical\s+support\s+assistant                  # VA series 0679 (the matcher says not MA)
    | \b(?:C|R|CC|NC|NRC)MA\b                        # CMA, RMA, CCMA, NCMA, NRCMA in the title
    | \bMA\s*(?:I{1,3}|IV|[1-4])\b                   # MA II, MA 3
    | \b(?:clinical|certified|registered|lead|senior|sr\.?|float|back[\s-]office|front[\s-]office|
         pediatric|specialty|bilingual|virtual|remote|apprentice|trainee)\s+MA\b
    | \bMA\s*[-/,]\s*(?:clinic|clinical|float|lead|family|primary|urgent|pediatric)
    | \bMA\s+(?:supervisor|lead|team\s+lead|educator|trainer|coordinator|manager)\b
    | (?:ophthalmic|optometric|paraoptometric|eye\s+care|podiatric|ophthalmology|optometry)\s+
        (?:assistant|technician|technologist|tech|scribe)
    | \bophthalmic\s+(?:medical\s+)?technologist
    | \b(?:COA|COT|COMT|CPOA|CPOT)\b
    | health\s+(?:technician|aid)                    # federal/tribal MA job series
    | clinical\s+(?:coordinator|assistant|associate|support\s+specialist)
    | clinic(?:al)?\s+(?:operations\s+)?(?:manager|supervisor|lead)
    | (?:practice|office|clinic|center)\s+(?:manager|administrator|supervisor|director)
    | patient\s+care\s+(?:technician|assistant|coordinator)
    | back[\s-]office\s+(?:assistant|associate)
    | dermatology\s+(?:assistant|technician)
    | (?:orthopedic|cardiology|allergy|urology|gi|endoscopy)\s+(?:assistant|technician|tech)
    """,
    re.I | re.X,
)

# Titles that contain an included phrase but are plainly another occupation.
_EXCLUDE = re.compile(
    r"physician\s+assistant|\bPA-C\b|dental\s+assistant|veterinar|\bvet\s+assistant|"
    r"pharmacy\s+(?:technician|assistant)|nursing\s+assistant|\bCNA\b|"
    r"(?:registered|licensed|practical|vocational)\s+nurse|\b(?:RN|LPN|LVN)\b(?!.*medical\s+assistant)|"
    r"software|engineer|developer|sales\s+(?:representative|manager|executive)|"
    r"\bIT\s+|analyst|accountant|attorney|marketing",
    re.I,
)


def is_ma_family_title(title: str | None) -> bool:
    """True for titles in the MA role family (generous; see module docstring)."""
    if not title:
        return False
    if not _INCLUDE.search(title):
        return False
    return not (_EXCLUDE.search(title) and not re.search(r"medical\s+assistant", title, re.I))
