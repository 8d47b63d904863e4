"""Posting text preparation: HTML, mojibake, bullets, sentences and section types (matcher/text.py)."""

from __future__ import annotations

from matcher.text import fix_text, heading_type, prepare


def sections(doc) -> dict[str, str]:
    return {s.text: s.section for s in doc.sentences}


def test_sections_follow_headings() -> None:
    doc = prepare(
        "Medical Assistant",
        "Acme Clinic",
        "About Us\nWe are a clinic.\nResponsibilities:\n- Room patients\nQualifications\n- CMA required\n"
        "PREFERRED QUALIFICATIONS\n- Spanish a plus\nBenefits\n- CPR class paid for",
    )
    got = sections(doc)
    assert got["We are a clinic."] == "about"
    assert got["Room patients"] == "duties"
    assert got["CMA required"] == "requirements"
    assert got["Spanish a plus"] == "preferred"
    assert got["CPR class paid for"] == "benefits"
    assert doc.sentences[0].section == "title" and doc.sentences[1].section == "company"


def test_short_sentences_are_not_headings() -> None:
    assert heading_type("Epic experience a plus") is None
    assert heading_type("- Benefits") is None
    assert heading_type("What You'll Do") == "duties"
    assert heading_type("Nice to have:") == "preferred"


def test_sentence_case_headings_open_their_paragraph() -> None:
    doc = prepare(
        "Medical Assistant",
        "Harbor Primary Care",
        "About Harbor\nWe keep panels small.\n\nWhat you'll do\n- Room members\n\nWhat you bring\n"
        "- 1+ year of experience as a medical assistant\n\nNice to have\n- Spanish\n\n"
        "Pay and benefits\n- $19 - $22 per hour",
    )
    got = sections(doc)
    assert [s.text for s in doc.sentences if s.section == "heading"] == [
        "About Harbor", "What you'll do", "What you bring", "Nice to have", "Pay and benefits"
    ]  # fmt: skip
    assert got["Room members"] == "duties"
    assert got["1+ year of experience as a medical assistant"] == "requirements"
    assert got["Spanish"] == "preferred"
    assert got["$19 - $22 per hour"] == "pay"


def test_sentence_case_headings_over_lists_in_html() -> None:
    # Text made from HTML has no blank lines: a heading is known by the list it opens.
    html = (
        "<p>We are a clinic.</p><p><strong>What you'll do</strong></p><ul><li>Room patients</li></ul>"
        "<p>What you bring</p><ul><li>2 years of MA experience</li></ul>"
    )
    got = sections(prepare("MA", "Clinic", html))
    assert got["What you'll do"] == "heading" and got["Room patients"] == "duties"
    assert got["What you bring"] == "heading" and got["2 years of MA experience"] == "requirements"


def test_headings_that_close_a_section_without_an_ask() -> None:
    # "Who should apply" opens requirements (the years under it are read); "Physical Demands"
    # ends them: lifting is no certification or experience ask.
    doc = prepare(
        "MA",
        "Clinic",
        "Pay\n$17.25 an hour.\n\nWho should apply\n- No healthcare experience required\n\n"
        "Physical Demands\n- Lift 40 lb",
    )
    got = sections(doc)
    assert got["No healthcare experience required"] == "requirements"
    assert got["Lift 40 lb"] == "other"


def test_sentence_case_lines_that_are_not_headings() -> None:
    # An ask at the end, a line inside a paragraph, a line with nothing after it, a full sentence.
    doc = prepare(
        "MA",
        "Clinic",
        "Requirements\n\nClinical skills preferred\nWhat we offer everyone\n\n"
        "Key skills include EKG.\nMore text\n\nAbout the role",
    )
    got = sections(doc)
    assert got["Clinical skills preferred"] == "requirements"
    assert got["What we offer everyone"] == "requirements"
    assert got["Key skills include EKG."] == "requirements"
    assert got["About the role"] == "requirements"


def test_a_short_line_with_a_figure_is_an_ask_not_a_heading() -> None:
    for text in (
        "We are a clinic.\n\nMinimum two years experience\nHigh school diploma or GED",
        "Join our team.\n\nRequired 1 year experience\nCMA or RMA certification",
        "Minimum of one year MA experience\n- Epic a plus\n- BLS",
    ):
        doc = prepare("MA", "Clinic", text)
        assert [s.text for s in doc.sentences if s.section == "heading"] == [], text


def test_inline_heading_types_its_line() -> None:
    doc = prepare("MA", "Clinic", "Preferred: CMA or RMA\nPay: $18/hr")
    got = sections(doc)
    assert got["Preferred: CMA or RMA"] == "preferred"
    assert got["Pay: $18/hr"] == "pay"


def test_html_and_entities() -> None:
    doc = prepare(
        "MA",
        "Clinic",
        "&lt;p&gt;Intro&lt;/p&gt;&lt;h3&gt;Requirements&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;BLS &amp;amp; "
        "CPR&lt;/li&gt;&lt;/ul&gt;",
    )
    got = sections(doc)
    assert got["BLS & CPR"] == "requirements"
    assert not any("<" in s.text for s in doc.sentences)


def test_mojibake_and_inline_bullets() -> None:
    text = fix_text("Weâ€™re hiring Â· Room patients Â· Draw labs â€“ fast")
    assert "We're hiring" in text
    assert "â€" not in text and "Â" not in text
    doc = prepare("MA", "Clinic", "Duties: • Room patients • Draw labs • Give vaccines")
    texts = [s.text for s in doc.sentences]
    assert "Draw labs" in texts and "Give vaccines" in texts


def test_sentences_and_offsets_line_up() -> None:
    doc = prepare("MA", "Clinic", "First sentence here. Second one; third clause.\nNext line")
    for s, start in zip(doc.sentences, doc.starts, strict=True):
        assert doc.text[start : start + len(s.text)] == s.text
    assert [s.text for s in doc.sentences[2:]] == [
        "First sentence here.",
        "Second one;",
        "third clause.",
        "Next line",
    ]


def test_empty_input() -> None:
    doc = prepare(None, None, None)
    assert [s.section for s in doc.sentences] == ["title", "company"]
    assert fix_text("") == ""
