"""Features for the matcher's classifiers: lists of strings, hashed by ``FeatureHasher``.

A *candidate* is one (posting, label) pair that the taxonomy proposed. Its features aggregate
every mention of that label in the posting: the section each mention sits in, cue words of its
sentence (required / preferred / within N days / or-lists / not accepted / we pay / background),
where those cues stand relative to the mention, the words right around it, its surface form
("CPT" vs "cpt", "Epic" vs "epic"), and whether it shows only in the title or company name.
Label-specific behaviour comes from conjunctions with ``key=<label>``.

Posting-level features (is_ma_role, stage) come from the title, the body and the other tags.
Everything here is pure and fast: strings in, lists of strings out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from matcher.dispatch import Undispatchable, dispatch
from matcher.text import Doc, folds_oddly

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+/&'-]*", re.I)

# Sentence cues: name -> regex over the lower-cased sentence.
CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in (
        (
            "req",
            r"\brequir|\breq\b|\breq'd|\bmust\b|mandatory|\bneeded\b|\bneed to\b|necessary|\bobtain"
            r"|condition of (?:employment|hire)"
            r"|at (?:time of )?hire|upon hire|prior to (?:start|hire|employment)|\bhold\b|possess|minimum",
        ),
        ("current", r"\bcurrent\b|\bactive\b|\bvalid\b|unrestricted|in good standing"),
        (
            "pref",
            r"prefer|a plus\b|\bplus\b|desir|nice to have|helpful|encouraged|\bbonus\b|\bideal|advantage"
            r"|\basset\b|welcome|would be great|is a bonus|big plus",
        ),
        (
            "window",
            r"within (?:\d+|one|two|three|six|thirty|sixty|ninety|twelve|eighteen|the first) "
            r"(?:\w+ )?(?:days?|weeks?|months?|years?)|before the end|by the end|during orientation"
            r"|provided (?:during|at|in)|within \w+ (?:days?|months?) of|prior to completion|must pass",
        ),
        ("or", r"\bor\b"),
        (
            "either",
            r"\beither\b|one of(?: the following)?|any (?:one )?of|\bany\b|following|acceptable|accepted\b",
        ),
        ("equiv", r"or equivalent|or comparable|or similar"),
        (
            "neg",
            r"not accepted|not required|\bnot\b|\bno\b|optional|does not|do not|(?:is|are|does|do|wo|ca)n't"
            r"|never",
        ),
        (
            "notacc",
            r"not (?:be )?accepted|not recogni[sz]ed|not valid|does not qualify|will not|cannot be accepted",
        ),
        (
            "payfor",
            r"we (?:will )?pay|will pay|pays? for|paid for|reimburs|tuition|exam fees?|cover(?:s|ed)? (?:the"
            r"|your)"
            r"|sponsor|assistance|support (?:for|toward)|help you (?:get|earn|obtain)|earn your|pathway"
            r"|path to"
            r"|eligible (?:for|to)|opportunit|after (?:\d+|six|twelve|one|three) (?:months?|years?)|career"
            r"|ladder|advance|promot|grow",
        ),
        ("ladder", r"\bii\b|\biii\b|level|tier|rung|ladder|progress|promot"),
        ("background", r"background|such as|e\.g\.|i\.e\.|\blike\b|including|experience as an?\b|previous"),
        (
            "cond",
            r"if |where required|when required|depending on|state law|where applicable|if applicable"
            r"|per state",
        ),
        ("exp", r"experience|proficien|familiar|knowledge|skilled|comfortable|working knowledge|exposure"),
        (
            "use",
            r"\buse\b|\busing\b|\bin\b|system|ehr|emr|electronic|chart|document|record|platform|software",
        ),
        ("train", r"train|teach|educat|instruct|precept|mentor|coach|orient"),
        (
            # K5: skills taught to or checked in staff are not performed by the hire.
            "staffteach",
            r"(?:teach|train|orient|precept|validat|competenc|academy|skills? lab|onboard|in-?service"
            r"|curricul)\w*[^.;]{0,80}\b(?:mas|medical assistants|staff|new hires|team members|physicians"
            r"|providers|nurses|employees|technicians|students|caregivers)\b",
        ),
        ("coord", r"coordinat|arrang|schedul|refer|order|send"),
        (
            "perform",
            r"perform|administer|draw|collect|obtain|take|measur|record|assist|conduct|prepar|provide"
            r"|complete"
            r"|process|run|give|room|check|maintain|clean|stock|fit|apply|remove",
        ),
        (
            "bls_bureau",
            r"bureau|labor statistics|statistics|department of labor|\bdol\b|o\*net|occupational outlook"
            r"|wage data|median|percentile|salary (?:data|surveys?)|projections?|job outlook|growth rate",
        ),
        (
            "exam",
            r"sit for|pass(?:es|ing)? (?:the |your )?(?:\w+ )?exam|take the (?:\w+ )?exam|must pass"
            r"|become certified"
            r"|obtain(?:ed)? (?:\w+ )?(?:certification|credential)|earn(?:ed)? (?:the|your) ",
        ),
        (
            "ifrole",
            r"if (?:hired |working |employed )?as an?\b|if (?:an? )?(?:ma|lpn|rn|lvn)\b"
            r"|for (?:ma|lpn|rn) (?:hires|candidates)",
        ),
        ("codes", r"codes?\b|coding|icd|hcpcs|modifier|billing|charge|procedural terminology|e/m|cms"),
        (
            "addr",
            r"\b(?:parkway|pkwy|blvd|boulevard|street|st\.|avenue|ave|road|rd\.|drive|dr\.|suite|building"
            r"|plaza"
            r"|campus|center at|office park|exit)\b",
        ),
        (
            "person",
            r"\bdr\.?\s|\bmd\b|\bdo\b|\bnp\b|\bpa-c\b|doctor|physician|provider|\bshe\b|\bher\b|\bhe\b"
            r"|\bhis\b",
        ),
        (
            "multi",
            r"multi-?specialty|multiple specialties|across (?:all|our|many)|service lines|variety of|float"
            r"|specialties|departments|all (?:our|of our) clinics|system-?wide|various",
        ),
        ("we", r"\bwe\b|\bour\b|\bus\b"),
        ("you", r"\byou\b|\byour\b|candidate|applicant|the (?:ma|medical assistant|hire)"),
        ("pay", r"\$\d"),
    )
}
_CUE_NAMES = tuple(CUES)
# All cues as one alternation tried only at word starts (one fast scan per posting); at one place the
# more specific cue wins ("not required" is a negation before it is a requirement).
_CUE_ORDER = (
    "notacc",
    "neg",
    "equiv",
    "ifrole",
    "window",
    "exam",
    "cond",
    "payfor",
    "ladder",
    "bls_bureau",
    "codes",
    "addr",
    "person",
    "multi",
    "background",
    "either",
    "req",
    "current",
    "pref",
    "exp",
    "use",
    "staffteach",
    "train",
    "coord",
    "perform",
    "we",
    "you",
    "pay",
    "or",
)
CUE_RE = re.compile(
    r"(?<![a-z0-9])(?=[a-z$])(?:" + "|".join(f"(?P<{name}>{CUES[name].pattern})" for name in _CUE_ORDER) + ")"
)
_REQ_NEAR = re.compile(r"requir|must|mandatory|needed|necessary|condition of")
_PREF_NEAR = re.compile(
    r"prefer|a plus|\bplus\b|desir|nice to have|helpful|encouraged|bonus|ideal|advantage|asset"
)
_NEG_NEAR = re.compile(
    r"not (?:be )?(?:required|accepted|eligible|needed|necessary|recogni[sz]ed|considered)|n't (?:required"
    r"|needed|necessary)"
    r"|does not require|do not require|doesn't require|optional|not a must|no longer|not needed"
    r"|isn't required"
    r"|are not eligible|is not eligible|not valid"
)
_LADDER_NEAR = re.compile(
    r"\b(?:ii|iii|iv|level \w+|tier \w+)\s+(?:requires?|needs?|calls for)|promot\w* to|advance to"
)
_VERIFY_NEAR = re.compile(r"verif\w*|\bcheck\w*|\btrack\w*|monitor\w*|audit\w*|maintain\w* (?:\w+ )?records")
_ADDRESS_WORDS = frozenset(
    [
        "parkway",
        "pkwy",
        "blvd",
        "boulevard",
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "drive",
        "dr",
        "lane",
        "ln",
        "way",
        "court",
        "ct",
        "plaza",
        "place",
        "pl",
        "circle",
        "trail",
        "highway",
        "hwy",
        "exit",
        "campus",
        "building",
        "suite",
        "office",
    ]
)
_STAT_WORDS = frozenset(
    [
        "median",
        "mean",
        "wage",
        "wages",
        "data",
        "statistics",
        "statistic",
        "figures",
        "estimates",
        "projections",
        "projects",
        "reports",
        "survey",
        "surveys",
        "occupational",
        "outlook",
        "percentile",
        "average",
    ]
)
_EHR_WORDS = frozenset(
    [
        "ehr",
        "emr",
        "experience",
        "system",
        "systems",
        "software",
        "platform",
        "charting",
        "proficiency",
        "knowledge",
        "ambulatory",
        "health",
        "certification",
        "certified",
        "users",
        "user",
        "training",
        "enterprise",
        "office",
        "clinicals",
    ]
)
_MARK_RE = re.compile(
    r"(?<![a-z0-9])(?=[a-z])(?:"
    + "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (
            ("neg", _NEG_NEAR),
            ("ladder", _LADDER_NEAR),
            ("verify", _VERIFY_NEAR),
            ("req", _REQ_NEAR),
            ("pref", _PREF_NEAR),
        )
    )
    + ")"
)
_ALT_LINK = re.compile(r"^[\s,;:()/]*(?:(?:and/)?or|/|,|either|\(?either\)?)?[\s,;:()/]*(?:or\s+)?$", re.I)

STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "of",
        "to",
        "in",
        "for",
        "with",
        "on",
        "at",
        "by",
        "is",
        "are",
        "be",
        "as",
        "or",
        "our",
        "your",
        "we",
        "you",
        "this",
        "that",
        "from",
        "will",
    ]
)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters lower-case to two ("İ"): keep offsets aligned by leaving those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def lower_per_char(text: str) -> str:
    """Lower-cased character by character, keeping those that lower-case to two ("İ") as they are."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _scanner(groups: list[tuple[str, str]], first: str) -> tuple[re.Pattern[str], dict[int, str]]:
    """A word-start scan over ``groups`` (see :mod:`matcher.dispatch`), group index -> name."""
    try:
        return dispatch(groups, first=first)
    except Undispatchable:  # a pattern it cannot take apart: the plain alternation, just slower
        rx = re.compile(
            rf"(?<![a-z0-9])(?=[{first}])(?:" + "|".join(f"(?P<{n}>{p})" for n, p in groups) + ")"
        )
        return rx, {i: n for n, i in rx.groupindex.items()}


_CUE_SCAN, _CUE_OF = _scanner([(name, CUES[name].pattern) for name in _CUE_ORDER], "a-z$")
_MARK_SCAN, _MARK_OF = _scanner(
    [
        ("neg", _NEG_NEAR.pattern),
        ("ladder", _LADDER_NEAR.pattern),
        ("verify", _VERIFY_NEAR.pattern),
        ("req", _REQ_NEAR.pattern),
        ("pref", _PREF_NEAR.pattern),
    ],
    "a-z",
)
# _TOKEN without case folding, for lower-cased text: the same tokens unless the text holds one of
# the characters ``re`` folds differently from str.lower() (text.FOLDS_ODDLY).
_TOKEN_LOW = re.compile(r"[a-z0-9][a-z0-9+/&'-]*")


def scan_cues(low: str) -> list[tuple[int, str]]:
    """(start, cue name) of each cue in a lower-cased text, in order (one scan, like CUE_RE)."""
    of = _CUE_OF
    return [(m.start(), of[m.lastindex]) for m in _CUE_SCAN.finditer(low)]  # type: ignore[index]


def scan_markers(low: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of requirement, preference, negation, ladder and verify words (like _MARK_RE)."""
    of = _MARK_OF
    return [(m.start(), m.end(), of[m.lastindex]) for m in _MARK_SCAN.finditer(low)]  # type: ignore[index]


def sentence_tokens(low: str) -> list[tuple[int, int, str]]:
    rx = _TOKEN if folds_oddly(low) else _TOKEN_LOW
    return [(m.start(), m.end(), m.group()) for m in rx.finditer(low)]


class SentenceContext:
    """What every mention of one body sentence shares: tokens, cues, markers, sentence features.

    ``cues`` and ``markers`` are given when the sentence was scanned together with its neighbours
    (a cue that runs over a line break; see :mod:`matcher.analysis`).
    """

    __slots__ = ("clause_ends", "clause_starts", "low", "markers", "section", "shared", "text", "tokens")

    def __init__(
        self,
        text: str,
        low: str,
        section: str,
        bullet: bool,
        cues: list[str] | None = None,
        markers: list[tuple[int, int, str]] | None = None,
    ) -> None:
        self.text = text
        self.low = low
        self.section = section
        self.tokens = sentence_tokens(low)
        if cues is None:
            cues = []
            for _, name in scan_cues(low):
                if name not in cues:
                    cues.append(name)
        self.markers = scan_markers(low) if markers is None else markers
        shared = []
        for c in cues:
            shared.append("cue=" + c)
            shared.append(f"sec|cue={section}|{c}")
        if bullet:
            shared.append("bullet")
        n_words = len(self.tokens)
        shared.append("len=short" if n_words <= 6 else "len=mid" if n_words <= 20 else "len=long")
        self.shared = shared
        # Where clauses open and close (the clause feature); most sentences have few of these.
        self.clause_starts = [m.start() for m in _CLAUSE_OPEN.finditer(text)]
        self.clause_ends = [m.start() for m in _CLAUSE_CLOSE.finditer(text)]


_CLAUSE_OPEN = re.compile(r"[,;:(]")
_CLAUSE_CLOSE = re.compile(r"[,;:)]")


def _shape(surface: str) -> str:
    if surface.isupper():
        return "UP"
    if surface[:1].isupper():
        return "Cap" if not any(c.isupper() for c in surface[1:]) else "CaMel"
    return "low"


def _window(tokens: list[tuple[int, int, str]], start: int, end: int, k: int) -> tuple[list[str], list[str]]:
    i = 0
    n = len(tokens)
    while i < n and tokens[i][1] <= start:
        i += 1
    j = i
    while j < n and tokens[j][0] < end:
        j += 1
    return [t[2] for t in tokens[max(0, i - k) : i]], [t[2] for t in tokens[j : j + k]]


def title_mention_features(key: str, section: str, surface: str) -> list[str]:
    """A mention in the title or company name: where it is and how it is written, nothing more."""
    shape = _shape(surface)
    return [
        "sec=" + section,
        f"k|sec={key}|{section}",
        "sf=" + surface.lower(),
        "shape=" + shape,
        f"k|shape={key}|{shape}",
    ]


_PERSON_BEFORE = frozenset(
    ["dr", "dr.", "doctor", "manager", "director", "ms", "mrs", "mr", "nurse", "named"]
)
_NOT_CAP_AFTER = ("EHR", "EMR", "Health", "Ambulatory", "Enterprise", "Office")


def mention_features(
    ctx: SentenceContext,
    start: int,
    end: int,
    surface: str,
    key: str,
    category: str,
    siblings: list[tuple[str, int, int]],
    label: str,
) -> list[str]:
    """Features of one mention of a body sentence; ``siblings`` are (label, start, end) of the
    sentence's certification mentions (used for certifications only)."""
    section = ctx.section
    feats = title_mention_features(key, section, surface)
    feats += ctx.shared
    left, right = _window(ctx.tokens, start, end, 4)
    if left:
        last = left[-1]
        feats.append("L1=" + last)
        feats.append(f"k|L1={key}|{last}")
    else:
        feats.append("L1=<s>")
    if right:
        first = right[0]
        feats.append("R1=" + first)
        feats.append(f"k|R1={key}|{first}")
        if len(right) > 1:
            feats.append(f"R2={first}_{right[1]}")
    else:
        feats.append("R1=</s>")
    if len(left) > 1:
        feats.append(f"L2={left[-2]}_{left[-1]}")
    for t in left:
        if t not in STOP:
            feats.append("wL=" + t)
    for t in right:
        if t not in STOP:
            feats.append("wR=" + t)
    text = ctx.text
    markers = ctx.markers
    if markers:
        # Where the nearest requirement / preference / negation word stands relative to this mention.
        after_kinds: list[str] = []
        before_kinds: list[str] = []
        for ms, me, kind in markers:
            if ms >= end and ms - end <= 70:
                after_kinds.append(kind)
            elif me <= start and start - me <= 70:
                before_kinds.append(kind)
        for k in after_kinds:
            if k == "req" or k == "pref":
                feats.append(f"near={k}_after")
                break
        for k in reversed(before_kinds):
            if k == "req" or k == "pref":
                feats.append(f"near={k}_before")
                break
        # The clause around the mention (between commas, semicolons, colons or brackets) is the
        # tightest context: "CMA or RMA (required), BLS, Epic experience preferred".
        opens = ctx.clause_starts
        lo = opens[bisect_left(opens, start) - 1] if opens and opens[0] < start else -1
        closes = ctx.clause_ends
        at = bisect_left(closes, end)
        hi = closes[at] if at < len(closes) else len(text)
        clause_kinds = {kind for ms, me, kind in markers if ms > lo and me <= hi}
        if "neg" in clause_kinds:
            feats.append("clause=neg")
        elif "req" in clause_kinds:
            feats.append("clause=req")
        elif "pref" in clause_kinds:
            feats.append("clause=pref")
        else:
            feats.append("clause=none")
        if "neg" in after_kinds[:2] or "neg" in before_kinds[-1:]:
            feats.append("near=neg")
        if "ladder" in before_kinds or "ladder" in after_kinds[:1]:
            feats.append("near=ladder")
        if "verify" in before_kinds:
            feats.append("near=verify")
    else:
        feats.append("clause=none")
    # Neighbour words that tell a homonym: "Greenway Parkway", "BLS median", "Athena Kostas".
    if right:
        first = right[0]
        if first in _ADDRESS_WORDS:
            feats.append("R1=address")
        if first in _STAT_WORDS:
            feats.append("R1=stat")
        if first in _EHR_WORDS:
            feats.append("R1=ehrword")
        raw = text[end : end + 30].lstrip(" ,")
        if raw[:1].isupper() and not raw.startswith(_NOT_CAP_AFTER):
            feats.append("R1=Cap")
        if text[end : end + 1] == ",":
            feats.append("R1=comma")
    if left and left[-1] in _PERSON_BEFORE:
        feats.append("L1=person")
    if category == "certifications":
        feats.extend(_sibling_features(label, start, end, ctx.low, siblings))
    return feats


def _sibling_features(
    label: str, start: int, end: int, low: str, siblings: list[tuple[str, int, int]]
) -> list[str]:
    """Other certification keys in the sentence, and whether they are offered as alternatives."""
    others = {s[0] for s in siblings if s[0] != label}
    feats = [f"nkeys={min(len(others), 3)}"]
    # MA_CERT_ANY is for an unnamed credential only: is a specific MA credential named right here?
    named_ma = bool(others & _MA_KEYS - {"MA_CERT_ANY"})
    feats.append(f"ma_named={named_ma}")
    if label == "MA_CERT_ANY":
        feats.append(f"any|ma_named={named_ma}")
    linked = set()
    for s_label, s_start, s_end in siblings:
        if s_label == label:
            continue
        lo, hi = (s_end, start) if s_end <= start else (end, s_start)
        between = low[lo:hi] if hi > lo else ""
        if (len(between) <= 40 and _ALT_LINK.match(between)) or (
            len(between) <= 60 and " or " in f" {between} "
        ):
            linked.add(s_label)
    if linked:
        feats.append(f"alt_linked={min(len(linked), 3)}")
        if any(x in _MA_KEYS for x in linked):
            feats.append("alt_linked_ma")
    return feats


_MA_KEYS = frozenset({"CMA", "RMA", "CCMA", "NCMA", "NRCMA", "CMAA", "MA_C_WA", "MA_CERT_ANY"})


MAX_MENTIONS = 5

# LABELS.md C5, explicit form: "ACLS is not required", "NCMA is not accepted", "you do not need a
# phlebotomy certificate". Narrow on purpose: a negation right at the mention, with no preference
# after it ("not required but preferred" is a preference, which the model handles).
_NEGATED_AFTER = re.compile(
    r"^[\s)]*(?:certification|certificate|license|licence|credential|card|permit)?\s*(?:is |are |was )?"
    r"(?:not|isn't|aren't|never)\s+(?:\w+\s+)?(?:required|needed|necessary|accepted|expected|mandatory|recogni[sz]ed)",
    re.I,
)
_NEGATED_BEFORE = re.compile(
    r"(?:do not|don't|does not|doesn't|will not|won't|no)\s+(?:\w+\s+)?"
    r"(?:need|require|requires|accept|accepts)?\s*(?:an?\s+|the\s+|your\s+|any\s+)?$",
    re.I,
)
_PREF_AFTER = re.compile(r"\bbut\b[^.;]*(?:prefer|plus|desir|helpful|welcome|nice)|(?:prefer|a plus)", re.I)
_NEGATION_WORD = re.compile(r"\b(?:not|n't|no)\b", re.I)


def mention_negated(text: str, start: int, end: int) -> bool:
    """This mention is directly negated (C5), with no preference after it."""
    after = text[end : end + 60]
    before = text[max(0, start - 40) : start]
    negated = bool(_NEGATED_AFTER.search(after)) or bool(
        _NEGATED_BEFORE.search(before) and _NEGATION_WORD.search(before)
    )
    return negated and not _PREF_AFTER.search(after)


def candidate_features(key: str, n_labels: int, mentions: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """Aggregate the mentions of one candidate label into one feature list (a set of strings).

    ``mentions`` are (section, mention features) in text order.
    """
    feats: set[str] = {f"key={key}", f"nlab={min(n_labels, 6)}"}
    places = set()
    body_mentions = 0
    for section, mention_feats in mentions:
        places.add(section)
        if section not in ("title", "company"):
            body_mentions += 1
            if body_mentions > MAX_MENTIONS:
                continue  # a label named fifty times says nothing new after the first few
        feats.update(mention_feats)
    feats.add(f"nment={min(body_mentions, 4)}")
    feats.add(f"k|nment={key}|{min(body_mentions, 3)}")
    if "title" in places:
        feats.add("in_title")
        feats.add(f"k|in_title={key}")
    if "company" in places:
        feats.add("in_company")
        feats.add(f"k|in_company={key}")
    if body_mentions == 0:
        feats.add("only_title_company")
    return list(feats)


def candidate_key(label: str) -> str:
    """The label as features name it: every other language is one key."""
    return "bilingual" if label.startswith("bilingual ") and label != "bilingual Spanish" else label


# --- posting-level ------------------------------------------------------------------------------

_TITLE_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        (
            "ma",
            r"medical assist|\bm\.?a\.?\b|\bcma\b|\brma\b|\bccma\b|clinical assistant|back office assist"
            r"|front office assist|medical office assist|\bma[- ]?(?:i|ii|iii|1|2|3|c|r)\b"
            r"|patient care assistant",
        ),
        (
            "ophth",
            r"ophthalmic|optometric|eye care tech|eyecare tech|ophthalmology tech|ophthalmology assist"
            r"|\bcoa\b"
            r"|\bcot\b|\bcomt\b|ophthalmic scribe|vision tech|optometry assist|optometric tech|optical assist"
            r"|paraoptometric",
        ),
        (
            "health_tech",
            r"(?<!behavioral )(?<!mental )health technician|(?<!behavioral )health tech\b|health aid",
        ),
        ("support_asst", r"medical support assistant"),
        (
            "nurse",
            r"\brn\b|registered nurse|\blpn\b|\blvn\b|licensed practical|licensed vocational|nurse\b|nursing",
        ),
        ("cna", r"\bcna\b|nursing assistant|nurse aide|patient care tech|\bpct\b|caregiver|home health aide"),
        ("med_aide", r"medication aide|med aide|medication tech|\bcmt\b|qmap"),
        ("phleb", r"phlebotom|lab assistant|laboratory assistant|specimen|lab tech"),
        (
            "front",
            r"receptionist|patient service|front desk|patient access|registration|scheduler|scheduling"
            r"|call center"
            r"|patient coordinator|intake coordinator|referral coordinator|unit secretary|unit clerk"
            r"|secretary",
        ),
        ("coder", r"coder|coding|billing|biller|revenue|claims|collections"),
        ("it", r"analyst|engineer|developer|software|\bit\b|informatics|trainer|application|architect|data"),
        (
            "provider",
            r"physician|\bmd\b|nurse practitioner|\bnp\b|physician assistant|\bpa-c\b|therapist|pharmac"
            r"|technologist|radiolog|sonograph|dental|dentist|hygienist|surgical tech|scrub tech|emt"
            r"|paramedic",
        ),
        ("scribe", r"\bscribe"),
        (
            "other_job",
            r"veterinar|\bvet\b|dental assist|pharmacy tech|behavioral health tech|mental health tech|recruit"
            r"|surgical coordinator|instrument tech|sterile processing|medical records|transcription"
            r"|physical therapy aide|\bpt aide|ekg tech(?!.*medical assist)|monitor tech|patient transport"
            r"|optician|authorization specialist|prior auth|insurance specialist|dialysis",
        ),
        ("supervisor", r"supervis"),
        ("manager", r"manager|management|\bmgr\b"),
        ("admin", r"administrator|director"),
        ("lead", r"\blead\b|team lead"),
        ("senior_word", r"\bsenior\b|\bsr\.?\b"),
        ("coordinator", r"coordinator"),
        ("specialist", r"specialist"),
        ("educator", r"educator|instructor|trainer"),
        ("level3", r"\biii\b|\b3\b|level 3|level iii"),
        ("level2", r"\bii\b|\b2\b|level 2|level ii"),
        ("level1", r"\bi\b|\b1\b|level 1|level i\b"),
        ("apprentice", r"apprentice|trainee|extern|intern\b|student|entry[- ]level|new grad"),
        ("tech", r"technician|\btech\b"),
        (
            "office_mgr",
            r"practice manager|office manager|clinic manager|practice administrator|operations manager"
            r"|clinical operations|practice operations|site manager|health center manager",
        ),
    )
)
_OCCUPATIONS = frozenset(
    {
        "ma",
        "ophth",
        "health_tech",
        "support_asst",
        "nurse",
        "cna",
        "med_aide",
        "phleb",
        "front",
        "coder",
        "it",
        "provider",
        "scribe",
        "other_job",
    }
)
_OTHER_OCC = (
    "other_job",
    "nurse",
    "cna",
    "med_aide",
    "phleb",
    "front",
    "coder",
    "it",
    "provider",
    "scribe",
    "support_asst",
)


@lru_cache(maxsize=4096)
def _title_classes(title: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in _TITLE_CLASSES if pattern.search(title))


def title_classes(title: str) -> list[str]:
    return list(_title_classes(title))


def title_features(title: str) -> list[str]:
    return list(_title_features(title))


@lru_cache(maxsize=4096)
def _title_features(title: str) -> tuple[str, ...]:
    low = title.lower()
    tokens = [t for t in _TOKEN.findall(low)]
    feats = [f"t={t}" for t in tokens]
    feats.extend(f"tt={a}_{b}" for a, b in pairwise(tokens))
    classes = title_classes(title)
    feats.extend(f"tc={c}" for c in classes)
    ma_like = {"ma", "ophth", "health_tech"} & set(classes)
    other = set(_OTHER_OCC) & set(classes)
    feats.append(f"tc_combo={'ma' if ma_like else '-'}|{'other' if other else '-'}")
    if not ma_like and not other:
        feats.append("tc_none")
    # Which occupation the title names first ("Certified Medication Aide (CMA)", "Recruiter - MA Desk").
    first = _first_occupation(title)
    if first:
        feats.append(f"tc_first={first}")
        feats.append(f"tc_first_kind={'ma' if first in ('ma', 'ophth', 'health_tech') else 'other'}")
    return tuple(feats)


def _first_occupation(title: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in _TITLE_CLASSES:
        if name not in _OCCUPATIONS:
            continue
        m = pattern.search(title)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def role_features(doc: Doc, infos: Sequence[Any] | None = None) -> list[str]:
    """is_ma_role: the title above all, then what the body says the job is.

    ``infos`` are the posting's :class:`matcher.analysis.SentenceInfo` (their role word counts),
    when the caller has them.
    """
    feats = title_features(doc.title)
    if infos is None:
        body = doc.text[len(doc.title) + len(doc.company) + 2 :].lower()
        n_ma = len(_MA_WORDS.findall(body))
        n_nurse = len(_NURSE_WORDS.findall(body))
        msa = bool(_MSA_WORDS.search(body))
        ophth = bool(_OPHTH_WORDS.search(body))
    else:
        n_ma = n_nurse = 0
        msa = ophth = False
        for info in infos[2:]:
            ma, nurse, m, o = info.role
            n_ma += ma
            n_nurse += nurse
            msa = msa or m
            ophth = ophth or o
    feats.append(f"body_ma={min(n_ma, 5)}")
    feats.append(f"body_nurse={min(n_nurse, 5)}")
    if msa:
        feats.append("body_msa")
    if ophth:
        feats.append("body_ophth")
    feats.extend(_first_features(" ".join([s.text for s in doc.sentences[2:5]])[:300]))
    return feats


# Role words counted in the body (per sentence by matcher.analysis: none runs over a line break).
_MA_WORDS = re.compile(r"medical assistant|\bma\b|\bmas\b")
_NURSE_WORDS = re.compile(r"\brn\b|\blpn\b|registered nurse|nursing license|nurse\b")
_MSA_WORDS = re.compile(r"series 0679|medical support assistant")
_OPHTH_WORDS = re.compile(r"ophthalmic|optometric|eye exam|visual acuity")
# All four in one scan, each alternative closed by an empty group that names its kind; written to
# start with a literal ("\\bma\\b|\\bmas\\b" as "m(?<=\\bm)as?\\b") so that ``re`` skips the other
# characters quickly. The alternatives keep their order, and no word of one kind overlaps a word
# of another, so the counts are those of the four regexes above (tests/test_matcher_fastpaths.py).
ROLE_WORDS = re.compile(
    r"medical assistant()|m(?<=\bm)as?\b()"
    r"|r(?<=\br)n\b()|l(?<=\bl)pn\b()|registered nurse()|nursing license()|nurse\b()"
    r"|series 0679()|medical support assistant()"
    r"|ophthalmic()|optometric()|eye exam()|visual acuity()"
)
# Group index -> kind: 0 MA, 1 nurse, 2 VA MSA, 3 ophthalmic.
ROLE_KIND = dict(enumerate([0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3], start=1))


@lru_cache(maxsize=8192)  # the opening sentences are often an employer's boilerplate
def _first_features(first: str) -> tuple[str, ...]:
    return tuple({f"first={m.lastgroup}" for m in _FIRST_RE.finditer(first)})


# The first sentences often say what the job is ("Our RNs ...", "The medical assistant ..."): the
# occupation classes of the title, as one word-start scan.
_FIRST_RE = re.compile(
    r"(?i)(?<![a-z])(?:"
    + "|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in _TITLE_CLASSES[:12])
    + ")"
)


def stage_features(
    doc: Doc,
    required_years: float | None,
    preferred_years: float | None,
    certs: dict[str, str],
    specialty_years: bool,
) -> list[str]:
    """LABELS.md section 6 inputs: title words, required years, specialty credential or experience."""
    feats = title_features(doc.title)
    if required_years is None:
        feats.append("ry=none")
    else:
        bucket = "0" if required_years == 0 else "<1" if required_years < 1 else min(int(required_years), 5)
        feats.append(f"ry={bucket}")
        feats.append(f"ry>=3={required_years >= 3}")
    if preferred_years is not None:
        feats.append(f"py={min(int(preferred_years), 5)}")
    spec_creds = {"COA", "COT", "COMT", "CPOA", "CPOT", "LIMITED_XRAY", "EKG_TECH", "CPC", "CCS"}
    for key, level in certs.items():
        if key in spec_creds and level in ("required", "accepted"):
            feats.append(f"speccred={key}")
            feats.append("speccred_req")
        if key in ("CMPE", "CMM", "COE"):
            feats.append("mgmt_cred")
    if specialty_years:
        feats.append("spec_years_req")
    # LABELS.md section 6 applied in its order, as one strong feature the model can weigh.
    classes = set(title_classes(doc.title))
    spec_cred = any(
        key in _SPECIALTY_CREDENTIALS and level in ("required", "accepted") for key, level in certs.items()
    )
    if classes & {"supervisor", "manager", "admin", "office_mgr"}:
        rule = "senior"
    elif (
        classes & {"lead", "senior_word", "coordinator", "specialist", "educator", "level3"}
        or _COT_TITLE.search(doc.title)
        or (required_years is not None and required_years >= 3)
        or spec_cred
        or specialty_years
    ):
        rule = "mid"
    else:
        rule = "entry"
    feats.append(f"rule={rule}")
    return feats


_SPECIALTY_CREDENTIALS = frozenset(
    {"COA", "COT", "COMT", "CPOA", "CPOT", "LIMITED_XRAY", "EKG_TECH", "CPC", "CCS"}
)
_COT_TITLE = re.compile(r"\b(?:COT|COMT)\b|certified ophthalmic (?:technician|medical technologist)", re.I)
