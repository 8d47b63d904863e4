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
from collections.abc import Iterable

from matcher.candidates import Mention
from matcher.text import Doc

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+/&'-]*", re.I)

# Sentence cues: name -> regex over the lower-cased sentence.
CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in (
        (
            "req",
            r"\brequir|\bmust\b|mandatory|\bneeded\b|\bneed to\b|necessary|\bobtain|condition of (?:employment|hire)"
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
        ("neg", r"not accepted|not required|\bnot\b|n't|\bno\b|optional|does not|do not|isn't|aren't|never"),
        (
            "notacc",
            r"not (?:be )?accepted|not recogni[sz]ed|not valid|does not qualify|will not|cannot be accepted",
        ),
        (
            "payfor",
            r"we (?:will )?pay|will pay|pays? for|paid for|reimburs|tuition|exam fees?|cover(?:s|ed)? (?:the|your)"
            r"|sponsor|assistance|support (?:for|toward)|help you (?:get|earn|obtain)|earn your|pathway|path to"
            r"|eligible (?:for|to)|opportunit|after (?:\d+|six|twelve|one|three) (?:months?|years?)|career"
            r"|ladder|advance|promot|grow",
        ),
        ("ladder", r"\bii\b|\biii\b|level|tier|rung|ladder|progress|promot"),
        ("background", r"background|such as|e\.g\.|i\.e\.|\blike\b|including|experience as an?\b|previous"),
        (
            "cond",
            r"if |where required|when required|depending on|state law|where applicable|if applicable|per state",
        ),
        ("exp", r"experience|proficien|familiar|knowledge|skilled|comfortable|working knowledge|exposure"),
        (
            "use",
            r"\buse\b|\busing\b|\bin\b|system|ehr|emr|electronic|chart|document|record|platform|software",
        ),
        ("train", r"train|teach|educat|instruct|precept|mentor|coach|orient"),
        ("coord", r"coordinat|arrang|schedul|refer|order|send"),
        (
            "perform",
            r"perform|administer|draw|collect|obtain|take|measur|record|assist|conduct|prepar|provide|complete"
            r"|process|run|give|room|check|maintain|clean|stock|fit|apply|remove",
        ),
        (
            "bls_bureau",
            r"bureau|labor statistics|statistics|department of labor|\bdol\b|o\*net|occupational outlook",
        ),
        ("codes", r"codes?\b|coding|icd|hcpcs|modifier|billing|charge|procedural terminology|e/m|cms"),
        (
            "addr",
            r"\b(?:parkway|pkwy|blvd|boulevard|street|st\.|avenue|ave|road|rd\.|drive|dr\.|suite|building|plaza"
            r"|campus|center at|office park|exit)\b",
        ),
        (
            "person",
            r"\bdr\.?\s|\bmd\b|\bdo\b|\bnp\b|\bpa-c\b|doctor|physician|provider|\bshe\b|\bher\b|\bhe\b|\bhis\b",
        ),
        (
            "multi",
            r"multi-?specialty|multiple specialties|across (?:all|our|many)|service lines|variety of|float"
            r"|specialties|departments|all (?:our|of our) clinics|system-?wide|various",
        ),
        ("we", r"\bwe\b|\bour\b|\bus\b"),
        ("you", r"\byou\b|\byour\b|candidate|applicant|the (?:ma|medical assistant|hire)"),
        ("pay", r"\$\d"),
    )  # fmt: skip
}
_CUE_NAMES = tuple(CUES)
_REQ_NEAR = re.compile(r"requir|must|mandatory|needed|necessary|condition of")
_PREF_NEAR = re.compile(
    r"prefer|a plus|\bplus\b|desir|nice to have|helpful|encouraged|bonus|ideal|advantage|asset"
)
_NEG_NEAR = re.compile(
    r"not (?:be )?(?:required|accepted|eligible|needed|necessary|recogni[sz]ed|considered)|n't (?:required|needed|necessary)"
    r"|does not require|do not require|doesn't require|optional|not a must|no longer|not needed|isn't required"
    r"|are not eligible|is not eligible|not valid"
)
_LADDER_NEAR = re.compile(r"\b(?:ii|iii|iv|level \w+|tier \w+)\s+(?:requires?|needs?|calls for)|promot\w* to|advance to")
_VERIFY_NEAR = re.compile(r"verif\w*|\bcheck\w*|\btrack\w*|monitor\w*|audit\w*|maintain\w* (?:\w+ )?records")
_ADDRESS_WORDS = frozenset(
    "parkway pkwy blvd boulevard street st avenue ave road rd drive dr lane ln way court ct plaza place pl circle "
    "trail highway hwy exit campus building suite office".split()
)
_STAT_WORDS = frozenset(
    "median mean wage wages data statistics statistic figures estimates projections projects reports survey surveys "
    "occupational outlook percentile average".split()
)
_EHR_WORDS = frozenset(
    "ehr emr experience system systems software platform charting proficiency knowledge ambulatory health "
    "certification certified users user training enterprise office clinicals".split()
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


class SentenceCache:
    """Per-posting memo of sentence tokens and cues (many candidates share a sentence)."""

    __slots__ = ("_cues", "_tokens", "doc", "lowers")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.lowers: dict[int, str] = {}
        self._cues: dict[int, tuple[str, ...]] = {}
        self._tokens: dict[int, list[tuple[int, int, str]]] = {}

    def lower(self, idx: int) -> str:
        s = self.lowers.get(idx)
        if s is None:
            s = self.lowers[idx] = self.doc.sentences[idx].text.lower()
        return s

    def cues(self, idx: int) -> tuple[str, ...]:
        c = self._cues.get(idx)
        if c is None:
            low = self.lower(idx)
            c = self._cues[idx] = tuple(name for name in _CUE_NAMES if CUES[name].search(low))
        return c

    def tokens(self, idx: int) -> list[tuple[int, int, str]]:
        t = self._tokens.get(idx)
        if t is None:
            low = self.lower(idx)
            t = self._tokens[idx] = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(low)]
        return t


def _shape(surface: str) -> str:
    if surface.isupper():
        return "UP"
    if surface[:1].isupper():
        return "Cap" if not any(c.isupper() for c in surface[1:]) else "CaMel"
    return "low"


def _window(tokens: list[tuple[int, int, str]], start: int, end: int, k: int) -> tuple[list[str], list[str]]:
    left = [t for s, e, t in tokens if e <= start][-k:]
    right = [t for s, e, t in tokens if s >= end][:k]
    return left, right


def mention_features(
    m: Mention, cache: SentenceCache, key: str, category: str, siblings: list[Mention]
) -> list[str]:
    """Features of one mention; ``siblings`` are the other same-category mentions of that sentence."""
    doc = cache.doc
    sent = doc.sentences[m.sentence]
    section = sent.section
    low = cache.lower(m.sentence)
    feats = [
        f"sec={section}",
        f"k|sec={key}|{section}",
        f"sf={m.surface.lower()}",
        f"shape={_shape(m.surface)}",
    ]
    feats.append(f"k|shape={key}|{_shape(m.surface)}")
    if sent.bullet:
        feats.append("bullet")
    if section in ("title", "company"):
        return feats
    cues = cache.cues(m.sentence)
    for c in cues:
        feats.append(f"cue={c}")
        feats.append(f"sec|cue={section}|{c}")
    tokens = cache.tokens(m.sentence)
    left, right = _window(tokens, m.start, m.end, 4)
    if left:
        feats.append(f"L1={left[-1]}")
        feats.append(f"k|L1={key}|{left[-1]}")
    else:
        feats.append("L1=<s>")
    if right:
        feats.append(f"R1={right[0]}")
        feats.append(f"k|R1={key}|{right[0]}")
        if len(right) > 1:
            feats.append(f"R2={right[0]}_{right[1]}")
    else:
        feats.append("R1=</s>")
    if len(left) > 1:
        feats.append(f"L2={left[-2]}_{left[-1]}")
    for t in left:
        if t not in STOP:
            feats.append(f"wL={t}")
    for t in right:
        if t not in STOP:
            feats.append(f"wR={t}")
    # Where the nearest requirement / preference word stands relative to this mention.
    after = low[m.end : m.end + 70]
    before = low[max(0, m.start - 70) : m.start]
    req_after = _REQ_NEAR.search(after)
    pref_after = _PREF_NEAR.search(after)
    if req_after and (not pref_after or req_after.start() < pref_after.start()):
        feats.append("near=req_after")
    elif pref_after:
        feats.append("near=pref_after")
    req_before = list(_REQ_NEAR.finditer(before))
    pref_before = list(_PREF_NEAR.finditer(before))
    if req_before and (not pref_before or req_before[-1].start() > pref_before[-1].start()):
        feats.append("near=req_before")
    elif pref_before:
        feats.append("near=pref_before")
    if _NEG_NEAR.search(after[:45]) or _NEG_NEAR.search(before[-25:]):
        feats.append("near=neg")
    if _LADDER_NEAR.search(before[-40:]) or _LADDER_NEAR.search(after[:30]):
        feats.append("near=ladder")
    if _VERIFY_NEAR.search(before[-50:]):
        feats.append("near=verify")
    # Neighbour words that tell a homonym: "Greenway Parkway", "BLS median", "Athena Kostas".
    if right:
        if right[0] in _ADDRESS_WORDS:
            feats.append("R1=address")
        if right[0] in _STAT_WORDS:
            feats.append("R1=stat")
        if right[0] in _EHR_WORDS:
            feats.append("R1=ehrword")
        raw = sent.text[m.end : m.end + 30].lstrip(" ,")
        if raw[:1].isupper() and not raw.startswith(("EHR", "EMR", "Health", "Ambulatory", "Enterprise", "Office")):
            feats.append("R1=Cap")
        if sent.text[m.end : m.end + 1] == ",":
            feats.append("R1=comma")
    if left and left[-1] in ("dr", "dr.", "doctor", "manager", "director", "ms", "mrs", "mr", "nurse", "named"):
        feats.append("L1=person")
    n_words = len(tokens)
    feats.append("len=short" if n_words <= 6 else "len=mid" if n_words <= 20 else "len=long")
    if category == "certifications":
        feats.extend(_sibling_features(m, low, siblings))
    return feats


def _sibling_features(m: Mention, low: str, siblings: list[Mention]) -> list[str]:
    """Other certification keys in the sentence, and whether they are offered as alternatives."""
    others = {s.label for s in siblings if s.label != m.label}
    feats = [f"nkeys={min(len(others), 3)}"]
    linked = set()
    for s in siblings:
        if s.label == m.label:
            continue
        lo, hi = (s.end, m.start) if s.end <= m.start else (m.end, s.start)
        between = low[lo:hi] if hi > lo else ""
        if (len(between) <= 40 and _ALT_LINK.match(between)) or (
            len(between) <= 60 and " or " in f" {between} "
        ):
            linked.add(s.label)
    if linked:
        feats.append(f"alt_linked={min(len(linked), 3)}")
        if any(x in _MA_KEYS for x in linked):
            feats.append("alt_linked_ma")
    return feats


_MA_KEYS = frozenset({"CMA", "RMA", "CCMA", "NCMA", "NRCMA", "CMAA", "MA_C_WA", "MA_CERT_ANY"})


def candidate_features(
    key: str,
    category: str,
    mentions: list[Mention],
    cache: SentenceCache,
    by_sentence: dict[int, list[Mention]],
    n_labels: int,
) -> list[str]:
    """Aggregate the mentions of one candidate label into one feature list (a set of strings)."""
    feats: set[str] = {f"key={key}", f"nlab={min(n_labels, 6)}"}
    places = set()
    body_mentions = 0
    for m in mentions:
        sec = cache.doc.sentences[m.sentence].section
        places.add(sec)
        if sec not in ("title", "company"):
            body_mentions += 1
        siblings = by_sentence.get(m.sentence, [])
        feats.update(mention_features(m, cache, key, category, siblings))
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
    return sorted(feats)


# --- posting-level ------------------------------------------------------------------------------

_TITLE_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        (
            "ma",
            r"medical assist|\bm\.?a\.?\b|\bcma\b|\brma\b|\bccma\b|clinical assistant|back office assist"
            r"|front office assist|medical office assist|\bma[- ]?(?:i|ii|iii|1|2|3|c|r)\b|patient care assistant",
        ),
        (
            "ophth",
            r"ophthalmic|optometric|eye care tech|eyecare tech|ophthalmology tech|ophthalmology assist|\bcoa\b"
            r"|\bcot\b|\bcomt\b|ophthalmic scribe|vision tech|optometry assist|optometric tech|optical assist"
            r"|paraoptometric",
        ),
        ("health_tech", r"health technician|health tech\b|health aid"),
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
            r"receptionist|patient service|front desk|patient access|registration|scheduler|scheduling|call center"
            r"|patient coordinator|intake coordinator|referral coordinator|unit secretary|unit clerk|secretary",
        ),
        ("coder", r"coder|coding|billing|biller|revenue|claims|collections"),
        ("it", r"analyst|engineer|developer|software|\bit\b|informatics|trainer|application|architect|data"),
        (
            "provider",
            r"physician|\bmd\b|nurse practitioner|\bnp\b|physician assistant|\bpa-c\b|therapist|pharmac"
            r"|technologist|radiolog|sonograph|dental|dentist|hygienist|surgical tech|scrub tech|emt|paramedic",
        ),
        ("scribe", r"\bscribe"),
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
    )  # fmt: skip
)
_OTHER_OCC = (
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


def title_classes(title: str) -> list[str]:
    return [name for name, pattern in _TITLE_CLASSES if pattern.search(title)]


def title_features(title: str) -> list[str]:
    low = title.lower()
    tokens = [t for t in _TOKEN.findall(low)]
    feats = [f"t={t}" for t in tokens]
    feats.extend(f"tt={a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))
    classes = title_classes(title)
    feats.extend(f"tc={c}" for c in classes)
    ma_like = {"ma", "ophth", "health_tech"} & set(classes)
    other = set(_OTHER_OCC) & set(classes)
    feats.append(f"tc_combo={'ma' if ma_like else '-'}|{'other' if other else '-'}")
    if not ma_like and not other:
        feats.append("tc_none")
    return feats


def role_features(doc: Doc) -> list[str]:
    """is_ma_role: the title above all, then what the body says the job is."""
    feats = title_features(doc.title)
    body = doc.text[len(doc.title) + len(doc.company) + 2 :].lower()
    n_ma = len(re.findall(r"medical assistant|\bma\b|\bmas\b", body))
    n_nurse = len(re.findall(r"\brn\b|\blpn\b|registered nurse|nursing license|nurse\b", body))
    feats.append(f"body_ma={min(n_ma, 5)}")
    feats.append(f"body_nurse={min(n_nurse, 5)}")
    if re.search(r"series 0679|medical support assistant", body):
        feats.append("body_msa")
    if re.search(r"ophthalmic|optometric|eye exam|visual acuity", body):
        feats.append("body_ophth")
    first = " ".join(s.text.lower() for s in doc.sentences[2:5])
    for cls, pattern in _TITLE_CLASSES[:12]:
        if pattern.search(first):
            feats.append(f"first={cls}")
    return feats


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
        feats.append(
            f"ry={'0' if required_years == 0 else '<1' if required_years < 1 else min(int(required_years), 5)}"
        )
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
    return feats


def iter_sentences_with(mentions: Iterable[Mention]) -> dict[int, list[Mention]]:
    by: dict[int, list[Mention]] = {}
    for m in mentions:
        by.setdefault(m.sentence, []).append(m)
    return by
