"""Behaviour of the catalogue search: folding, typos, lexicon, base vs variant, verdicts.

A small inline catalogue keeps these tests independent of the national file; one test runs the
dev queries over the national catalogue when ../shared is present and skips otherwise.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from bot.catalogue_io import read_records
from lookup.aliases import load_aliases, with_aliases
from lookup.aspect import detect_aspect
from lookup.fold import fold, syllables
from lookup.marks import mark_key, marked_syllables, marked_words, marks_agree, tone_dropped
from lookup.portal import search_docs
from lookup.procedure import subject_kind
from lookup.search import (
    _LEXICON_EN,
    MAX_QUERY_TOKENS,
    Hit,
    SearchDoc,
    SearchIndex,
    Verdict,
    _load_lexicon,
    apply_lexicon,
    decide,
    readable_part,
)
from lookup.teencode import (
    FUNCTION_WEIGHT,
    STORY_WEIGHT,
    is_english,
    is_syllable,
    normalise,
    token_weights,
)

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CATALOGUE = SHARED / "data" / "national-catalogue.jsonl.gz"
DEV_QUERIES = SHARED / "eval" / "queries-dev.jsonl"

DOCS = [
    SearchDoc("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", "Giấy khai sinh", popular=True),
    SearchDoc("1.003583", "Thủ tục đăng ký khai sinh lưu động", "Hộ tịch", popular=True),
    SearchDoc(
        "1.004772",
        "Thủ tục đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
        "Hộ tịch",
        popular=True,
    ),
    SearchDoc(
        "2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", popular=True
    ),
    SearchDoc("1.000656", "Thủ tục đăng ký khai tử", "Hộ tịch", popular=True),
    SearchDoc("1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", popular=True),
    SearchDoc("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", "Hộ tịch", popular=True),
    SearchDoc("1.004873", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", popular=True),
    SearchDoc(
        "1.004859",
        "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
        "Hộ tịch",
        popular=True,
    ),
    SearchDoc("3.000346", "Cấp giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", popular=True),
    SearchDoc("3.000347", "Đổi giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", popular=True),
    SearchDoc(
        "3.000348", "Cấp lại giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", popular=True
    ),
    SearchDoc(
        "3.000352", "Thu hồi giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", popular=True
    ),
    SearchDoc("1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", popular=True),
    SearchDoc("1.014062", "Cấp thẻ căn cước cho người dưới 14 tuổi", popular=True),
    SearchDoc("1.014064", "Cấp lại thẻ căn cước", popular=True),
    SearchDoc(
        "1.001456", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", popular=True
    ),
    SearchDoc(
        "1.001471",
        "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)",
        popular=True,
    ),
    SearchDoc("1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", popular=True),
    SearchDoc("1.003197", "Xóa đăng ký thường trú", "Đăng ký, quản lý cư trú", popular=True),
    SearchDoc("1.004194", "Đăng ký tạm trú", "Đăng ký, quản lý cư trú", popular=True),
    SearchDoc("1.003677", "Khai báo tạm vắng", "Đăng ký, quản lý cư trú", popular=True),
    SearchDoc(
        "1.012783",
        "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Đất đai",
        popular=True,
    ),
    SearchDoc(
        "1.013978",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu đối với hộ gia đình",
        "Đất đai",
        popular=True,
    ),
    SearchDoc("2.001199", "Đăng ký thành lập công ty TNHH hai thành viên trở lên"),
    SearchDoc("1.005001", "Cấp giấy phép khai thác khoáng sản", "Địa chất và khoáng sản"),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def top(index: SearchIndex, query: str) -> str | None:
    hits = index.search(query)
    return hits[0].code if hits else None


def test_fold_strips_marks_and_punctuation() -> None:
    assert fold("Đăng ký  KHAI SINH (cấp xã)!") == "dang ky khai sinh cap xa"
    nfd = unicodedata.normalize("NFD", "Đổi giấy phép lái xe")
    assert fold(nfd) == fold("Đổi giấy phép lái xe") == "doi giay phep lai xe"
    assert syllables("Hộ chiếu, phổ thông") == ["ho", "chieu", "pho", "thong"]
    assert fold("") == "" and fold("😀 ✓") == ""


def test_index_size_and_duplicate_codes() -> None:
    idx = SearchIndex.build([*DOCS, DOCS[0]])
    assert len(idx) == len(DOCS)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("đăng ký khai sinh", "1.001193"),
        ("dang ky khai sinh", "1.001193"),
        ("DANG KY KHAI SINH", "1.001193"),
        (unicodedata.normalize("NFD", "đăng ký kết hôn"), "1.000894"),
    ],
)
def test_diacritics_case_and_normal_form_do_not_matter(
    index: SearchIndex, query: str, code: str
) -> None:
    assert top(index, query) == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dang ky tam chu", "1.004194"),  # ch/tr
        ("fiếu xác nhận tình trạng hôn nhân", "1.004873"),  # f/ph (the word still helps)
        ("khaisinh", "1.001193"),  # missing space
        ("dang ky khai sinhh", "1.001193"),  # one edit
        ("dang ky ket hoon", "1.000894"),
        ("giay fep lai xe", "3.000346"),
    ],
)
def test_typos_are_repaired(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("lam so ho khau", "1.004222"),
        ("nhập hộ khẩu cho vợ", "1.004222"),
        ("giấy độc thân", "1.004873"),
        ("báo tử", "1.000656"),
        ("bằng lái xe bị mất", "3.000348"),
        ("đổi bằng lái", "3.000347"),
        ("lam CCCD cho con 10 tuoi", "1.014062"),
        ("làm cmnd", "1.014061"),
        ("birth certificate", "1.001193"),
        ("renew driving licence", "3.000347"),
        ("sổ đỏ lần đầu", "1.013978"),
        ("đổi sổ đỏ", "1.012783"),
        ("khai báo khi đi làm xa", "1.003677"),
        ("sai ngày sinh", "1.004859"),
        ("lấy chồng nước ngoài", "2.000806"),
        ("thành lập công ty trách nhiệm hữu hạn hai thành viên", "2.001199"),
    ],
)
def test_lexicon_maps_everyday_words(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


def test_passport_levels_prefer_the_local_one(index: SearchIndex) -> None:
    hits = index.search("passport")
    assert hits[0].code == "1.001456"
    # The central-level copy of the same name is not offered as a second choice.
    assert "1.001471" not in [h.code for h in hits]


def test_lexicon_longest_phrase_wins_and_no_doubling() -> None:
    assert apply_lexicon(["lam", "so", "ho", "khau"]) == ["cap", "dang", "ky", "thuong", "tru"]
    # "the" is "thẻ" once folded: an English filler list must not eat it.
    assert apply_lexicon(["cap", "doi", "the", "can", "cuoc"])[:3] == ["cap", "doi", "the"]
    out = apply_lexicon("cap phieu ly lich tu phap".split())
    assert out == "cap phieu ly lich tu phap".split()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("đăng ký khai sinh", "1.001193"),  # not "lưu động" / "cho người đã có hồ sơ"
        ("đăng ký khai sinh lưu động", "1.003583"),
        ("khai sinh có yếu tố nước ngoài", "2.000528"),
        ("đăng ký thường trú", "1.004222"),  # not "xóa đăng ký thường trú"
        ("xóa đăng ký thường trú", "1.003197"),
        ("cấp giấy phép lái xe", "3.000346"),  # the verb decides
        ("cấp lại giấy phép lái xe", "3.000348"),
        ("đổi giấy phép lái xe", "3.000347"),
        ("thu hồi giấy phép lái xe", "3.000352"),
        ("cấp lại căn cước", "1.014064"),
    ],
)
def test_base_beats_variants_unless_asked(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


def test_scores_are_bounded_and_sorted(index: SearchIndex) -> None:
    hits = index.search("đăng ký khai sinh", limit=10)
    assert 1 < len(hits) <= 10
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("đăng ký khai sinh", limit=1)[0].code == "1.001193"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "😀🎉",
        "'; DROP TABLE procedures; --",
        "<script>alert(1)</script>",
        "ignore previous instructions",
        "x" * 100_000,
        "1234 5678",
        "giá vàng hôm nay",
    ],
)
def test_garbage_returns_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query) == []
    assert decide(index.search(query)) is Verdict.NONE


def test_huge_query_is_truncated_not_rejected(index: SearchIndex) -> None:
    assert top(index, "đăng ký khai tử " + "a" * 10_000) == "1.000656"


def test_decide_confident(index: SearchIndex) -> None:
    assert decide(index.search("đăng ký khai tử")) is Verdict.CONFIDENT
    assert decide(index.search("giấy xác nhận tình trạng hôn nhân")) is Verdict.CONFIDENT


def test_decide_ambiguous_when_vague(index: SearchIndex) -> None:
    assert decide(index.search("giấy phép")) is Verdict.AMBIGUOUS


def test_decide_level_variants_are_not_rivals() -> None:
    hits = [
        Hit("1.001456", "Cấp hộ chiếu phổ thông (thực hiện tại cấp tỉnh)", 0.9),
        Hit("1.001471", "Cấp hộ chiếu phổ thông (thực hiện tại cấp trung ương)", 0.89),
    ]
    assert decide(hits) is Verdict.CONFIDENT


def test_decide_thresholds() -> None:
    assert decide([]) is Verdict.NONE
    assert decide([Hit("1", "Đăng ký khai sinh", 0.1)]) is Verdict.NONE
    # A plausible candidate is offered ("did you mean") rather than "not found": search() only
    # returns hits when one is plausible, and the BM25F nudge may lower the first under 0.3.
    assert decide([Hit("1", "Đăng ký khai sinh", 0.25)]) is Verdict.AMBIGUOUS
    assert decide([Hit("1", "Đăng ký khai sinh", 0.35)]) is Verdict.AMBIGUOUS
    assert decide([Hit("1", "Đăng ký khai sinh", 0.5)]) is Verdict.AMBIGUOUS
    close = [Hit("1", "Đăng ký khai sinh", 0.8), Hit("2", "Đăng ký khai tử", 0.78)]
    assert decide(close) is Verdict.AMBIGUOUS
    assert decide([Hit("1", "Đăng ký khai sinh", 0.8)]) is Verdict.CONFIDENT


def test_portal_search_docs_read_national_records() -> None:
    recs = [
        {
            "ma_thu_tuc": "1.001193",
            "ten_thu_tuc": unicodedata.normalize("NFD", "Thủ tục đăng ký khai sinh"),
            "linh_vuc": "Hộ tịch",
            "ket_qua_xu_ly": "Giấy khai sinhMã: KQ.G01.000001Từ khóaKhông có thông tin",
        },
        {"ma_thu_tuc": "", "ten_thu_tuc": "no code"},
    ]
    docs = search_docs(recs)
    assert len(docs) == 1 and docs[0].popular and docs[0].code == "1.001193"
    assert SearchIndex.build(docs + DOCS[1:]).search("khai sinh")[0].code == "1.001193"


@pytest.mark.skipif(
    not (CATALOGUE.exists() and DEV_QUERIES.exists()),
    reason=f"national catalogue not available at {SHARED} (not shipped with the project)",
)
def test_dev_queries_on_national_catalogue(national: SearchIndex) -> None:
    idx = national
    queries = [json.loads(line) for line in DEV_QUERIES.read_text(encoding="utf-8").splitlines()]
    hits = sum(
        bool(res) and res[0].code in q["codes"]
        for q in queries
        for res in [idx.search(q["q"], limit=3)]
    )
    assert hits / len(queries) >= 0.9


# --------------------------------------------------------------------------------------------
# Citizen messages: chat shorthand, English, stories, conditional lexicon rules, verbs.


def test_teencode_expands_shorthand_and_keeps_negation() -> None:
    assert normalise("e mun lm ho chieu ko dc j".split()) == (
        "em muon lam ho chieu khong duoc gi".split()
    )
    # "k"/"hok" are "không": never "có", which would flip the meaning.
    assert normalise(["hok"]) == ["khong"] and normalise(["k"]) == ["khong"]
    # "e-visa" folds to "e visa": the prefix, not the pronoun "em".
    assert normalise("xin e visa".split()) == ["xin", "e", "visa"]
    # "hỏng" folds to "hong": next to an object it is "broken", not "không".
    assert normalise("the bi hong".split()) == ["the", "bi", "hong"]
    assert normalise("con 9 t".split()) == ["con", "9", "t"]  # an age, not "tôi"
    assert normalise("bang b2".split()) == ["bang", "b2"]


@pytest.mark.parametrize("token", ["hom", "nui", "nghieng", "quyen", "truong", "khuyen", "gia"])
def test_valid_syllables(token: str) -> None:
    assert is_syllable(token)


@pytest.mark.parametrize("token", ["ko", "birth", "khaisinh", "sinhh", "hoon", "ce", "license"])
def test_invalid_syllables(token: str) -> None:
    assert not is_syllable(token)


def test_english_detection() -> None:
    assert is_english("How do I renew my driving licence?")
    assert is_english("lost my passport yesterday")
    assert not is_english("làm hộ chiếu")
    assert not is_english("lam so do")  # "so", "do" spell Vietnamese syllables too
    assert not is_english("passport het han roi")  # a loanword in a Vietnamese line


def test_valid_words_are_not_repaired(index: SearchIndex) -> None:
    parsed = index._parse("hôm nay nuôi rồng được không")
    assert parsed is not None
    assert "hom" in parsed.tokens and "rong" in parsed.tokens and "trong" not in parsed.tokens
    english = index._parse("my birth certificate")
    assert english is not None and "the" not in english.tokens


def test_valid_syllable_repaired_only_by_context(index: SearchIndex) -> None:
    parsed = index._parse("dang ky khai sanh")  # "sanh" is a syllable; "khai sinh" a known phrase
    assert parsed is not None and parsed.tokens[-2:] == ["khai", "sinh"]


def test_valid_syllable_is_not_swapped_for_another_consonant(index: SearchIndex) -> None:
    # "gái" is a word: a one-letter consonant swap ("lai") must not turn it into "con lai".
    parsed = index._parse("con gai toi lay chong")
    assert parsed is not None and "gai" in parsed.tokens


@pytest.mark.parametrize("word", ["atm", "camera", "wifi", "tiktok", "sake"])
def test_loanwords_and_unknown_words_are_not_repaired_into_other_words(
    index: SearchIndex, word: str
) -> None:
    # "atm" is not "tâm", "camera" not "cá mè ra", "sake" not the English lexicon key "stake".
    assert index._repair([word], [None])[0] == [word]


def test_the_story_verb_is_not_the_request_verb(index: SearchIndex) -> None:
    query = (
        "sáng nay nhà chùa thấy một bé sơ sinh ai để trước cổng, chùa giữ bé lại nuôi rồi "
        "cả xóm góp tiền mua sữa, giờ muốn đăng ký khai sinh cho bé"
    )
    parsed = index._parse(query)
    assert parsed is not None and "again" not in parsed.actions
    assert top(index, query) == "1.001193"


def test_an_age_is_a_hint_only_for_the_identity_card(index: SearchIndex) -> None:
    assert top(index, "lam CCCD cho con 10 tuoi") == "1.014062"
    parsed = index._parse("em 23 tuổi mà chưa từng có giấy khai sinh")
    assert parsed is not None and "23" in parsed.tokens and "14" not in parsed.tokens


def test_later_hits_below_the_floor_are_kept_once_the_first_is_plausible(
    index: SearchIndex,
) -> None:
    hits = index.search("đăng ký khai sinh", limit=5)
    assert len(hits) >= 3 and hits[0].code == "1.001193"
    assert all(h.score >= 0.15 for h in hits)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("I lost my driving licence", "3.000348"),
        ("how do I register a birth for my baby", "1.001193"),
        ("how to get married in Vietnam", "1.000894"),
    ],
)
def test_english_messages(index: SearchIndex, query: str, code: str) -> None:
    assert top(index, query) == code


def test_function_words_and_story_weigh_less() -> None:
    short = token_weights("cho em xin dang ky khai tu".split())
    assert short[:3] == [FUNCTION_WEIGHT] * 3 and short[3:] == [1.0] * 4
    story = (
        "nha toi o que lu lut nam ngoai lam trong nha hu hai het do dac giay to "
        "gio muon dang ky khai tu cho ba noi"
    ).split()
    weights = token_weights(story)
    request = story.index("gio")
    assert weights[story.index("lut")] == STORY_WEIGHT
    assert weights[story.index("khai")] == 1.0 and request < story.index("khai")


@pytest.mark.parametrize(
    "query",
    [
        "cho em hỏi đăng ký khai tử thế nào ạ",
        "dạ cho mình hỏi với, làm giấy xác nhận tình trạng hôn nhân ở đâu vậy ad",
    ],
)
def test_politeness_does_not_sink_confidence(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert decide(hits) is Verdict.CONFIDENT


def test_story_then_request_finds_the_request(index: SearchIndex) -> None:
    query = (
        "nhà em ở xóm trên, năm ngoái bão to làm sập mái, cả nhà chuyển sang ở nhờ nhà bác "
        "mấy tháng, giờ em muốn khai báo tạm vắng vì đi làm ở tỉnh khác"
    )
    hits = index.search(query)
    assert hits and hits[0].code == "1.003677"
    assert decide(hits) is not Verdict.NONE


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bị mất thẻ căn cước", "1.014064"),  # lost: a document → cấp lại
        ("bố tôi mất tuần trước", "1.000656"),  # died: a relative → khai tử
        ("sang tên xe máy cho em gái", None),  # a vehicle: not a land procedure
    ],
)
def test_conditional_lexicon_rules(index: SearchIndex, query: str, code: str | None) -> None:
    hits = index.search(query)
    if code is None:
        assert all("đất" not in h.name for h in hits[:1])
    else:
        assert hits and hits[0].code == code


def test_lexicon_rules_from_the_fifth_round() -> None:
    # The object of another act: a shop that asks about its tax or a licence to sell, a birth
    # certificate to translate, VNeID as the channel of a birth registration.
    assert "thanh" not in apply_lexicon("mo tiem tap hoa gio tu khai thue the nao".split())
    assert "thanh" not in apply_lexicon("mo cua hang ban thuoc thu y".split())
    assert "thanh" in apply_lexicon("mo tiem tap hoa".split())
    assert "dang" not in apply_lexicon("dich giay khai sinh roi chung thuc".split())
    assert "dang ky khai sinh" in " ".join(apply_lexicon("xin giay khai sinh cho con".split()))
    assert "dinh" not in apply_lexicon("dang ky khai sinh tren vneid".split())
    assert "dinh" in apply_lexicon("vneid bi khoa".split())
    # Lost registration papers are issued again; an abbreviation; taking a child in.
    assert apply_lexicon("mat ca vet xe".split())[:2] == ["cap", "lai"]
    assert "doanh nghiep tu nhan" in " ".join(apply_lexicon("mo dntn".split()))
    assert "nuoi con nuoi" in " ".join(apply_lexicon("nhan be ve lam con nuoi".split()))


def test_lexicon_rules_from_the_sixth_round() -> None:
    # A slip that spells another syllable, in a pair no one writes otherwise.
    slip = " ".join(apply_lexicon("dang ky thuong chu cho con".split()))
    assert slip.endswith("thuong tru cho con")
    # "đi chứng thực" without marks is not a will (di chúc); a photocopy to certify is a copy.
    assert "di" not in apply_lexicon("photo cccd di chung thuc".split())
    assert "ban sao" in " ".join(apply_lexicon("photo cccd di chung thuc".split()))
    # A visa is always a foreigner's, unless it is the visa-exemption certificate's stay.
    assert "nuoc ngoai" in " ".join(apply_lexicon("gia han visa".split()))
    assert "nuoc ngoai" not in " ".join(apply_lexicon("mien thi thuc gia han visa".split()))
    # Proof of being single; a divorce granted abroad; a guardian for an orphaned child.
    single = " ".join(apply_lexicon("ngan hang doi giay chung minh em chua co vo".split()))
    assert "tinh trang hon nhan" in single
    assert "tinh trang" not in " ".join(apply_lexicon("sinh con ma chua ket hon".split()))
    abroad = " ".join(apply_lexicon("toi ly hon ben dai loan gio lay chong moi".split()))
    assert "ghi vao so ho tich" in abroad
    assert "ghi vao" not in " ".join(apply_lexicon("vo chong muon ly hon".split()))
    assert "giam ho" in " ".join(apply_lexicon("nguoi dai dien cho chau mo coi".split()))
    assert "giam ho" not in " ".join(apply_lexicon("nguoi dai dien cong ty".split()))
    # A buyer by handwritten paper long ago, not one who just signed a deposit.
    old = " ".join(apply_lexicon("mua dat giay tay nguoi ban mat lien lac".split()))
    assert "truoc ngay" in old
    assert "truoc ngay" not in " ".join(apply_lexicon("mua dat viet giay tay dat coc".split()))
    # A stolen phone signed in to VNeID: lock it. A company moves its seat.
    assert "khoa" in apply_lexicon("dien thoai bi trom van dang nhap vneid".split())
    assert "tru so chinh" in " ".join(apply_lexicon("cong ty chuyen tru so".split()))
    # A household's head changes; a building permit's plot already titled is the story.
    assert "cu tru" in " ".join(apply_lexicon("chuyen ten chu ho sang me".split()))
    assert "cu tru" not in " ".join(apply_lexicon("chu ho kinh doanh doi ten".split()))
    permit = " ".join(apply_lexicon("xay nha tren dat da co so hong".split()))
    assert "giay phep xay dung" in permit and "quyen su dung" not in permit
    # Goods carried by car are not a driving licence; a transport licence is its own permit.
    assert "lai" not in apply_lexicon("cho hang bang o to tai".split())
    assert "van tai" in " ".join(apply_lexicon("xin giay phep kinh doanh van tai".split()))
    # A wrong entry in a social insurance book is corrected there, not in the civil register.
    book = " ".join(apply_lexicon("so bhxh bi sai ngay sinh".split()))
    assert "bao hiem xa hoi" in book and "ho tich" not in book
    assert "trinh bao mat ho chieu" in " ".join(apply_lexicon("danh roi ho chieu".split()))
    # A pink book is a land title like a red one: selling it is a transfer.
    assert apply_lexicon("sang ten so hong".split()) == apply_lexicon("sang ten so do".split())
    # A closure forced by an unlawful decision is a claim on the State, not a shop's closing.
    claim = " ".join(apply_lexicon("bi dong cua kinh doanh trai luat gio doi boi thuong".split()))
    assert "nha nuoc boi thuong" in claim and "cham dut" not in claim
    assert "tach thua" in " ".join(apply_lexicon("muon tach lam 3 thua".split()))
    assert "xoa dang ky thuong tru" in " ".join(
        apply_lexicon("me mat roi ma trong ho van con ten".split())
    )
    # A dead father's motorbike left to his child is not a land inheritance.
    bike = " ".join(apply_lexicon("ba mat roi chiec xe may nha de lai cho toi".split()))
    assert "thua ke" not in bike
    assert "thua ke" in " ".join(apply_lexicon("ba mat de lai manh dat".split()))


def test_lexicon_rules_from_the_seventh_round() -> None:
    # A child with a birth certificate already is recognised, not registered again.
    recognised = " ".join(apply_lexicon("be da co giay khai sinh gio anh ay muon nhan con".split()))
    assert "khai sinh" not in recognised and "nhan cha me con" in recognised
    # Leaving for work abroad: a temporary absence; a Southern father who died.
    away = " ".join(apply_lexicon("sap di xkld nhat o nha co can bao cong an xa".split()))
    assert "tam vang" in away
    assert "khai tu" in " ".join(apply_lexicon("ba toi moi mat hom qua".split()))
    # A returning family's belongings; a building's fire safety is not a building permit.
    assert "tai san di chuyen" in " ".join(apply_lexicon("cho do dac ve bang container".split()))
    assert "giay phep" not in apply_lexicon("xay nha tro co phai tham duyet pccc".split())
    # English loses "in" before the lexicon: a marriage abroad to record is named by country.
    abroad = apply_lexicon("wife got married australia register marriage".split())
    assert "ghi vao so ho tich" in " ".join(abroad)
    assert "lai tau" in " ".join(apply_lexicon("thi bang lai tau hoa".split()))


def test_lexicon_rules_from_the_eighth_round() -> None:
    # A passport reported lost and then found is restored; someone else's found passport is not.
    found = "da bao mat ho chieu gio tim thay trong vali muon dung tiep".split()
    assert "khoi phuc gia tri su dung" in " ".join(apply_lexicon(found))
    other = "tim thay vi co ho chieu cua nguoi khac".split()
    assert "khoi phuc" not in " ".join(apply_lexicon(other))
    # A temporary residence running out is extended; a card running out is not.
    assert "gia han" in " ".join(apply_lexicon("tam tru sap het han".split()))
    assert "gia han" in " ".join(apply_lexicon("thoi han o tro em dang ky sap het".split()))
    assert "gia han" not in " ".join(apply_lexicon("the bhyt sap het han".split()))
    # An adult with an identity card but no birth certificate: the card is what they have.
    papers = " ".join(apply_lexicon("chua tung co giay khai sinh chi co cccd".split()))
    assert "da co ho so giay to ca nhan" in papers and "can cuoc" not in papers
    assert "can cuoc" in " ".join(apply_lexicon("co giay khai sinh roi lam can cuoc".split()))
    # A blank father's part: the birth is registered, the recognition is what is asked.
    blank = " ".join(apply_lexicon("giay khai sinh de trong phan cha muon nhan con".split()))
    assert "khai sinh" not in blank and "nhan cha me con" in blank
    newborn = "con moi sinh lam giay khai sinh de trong ten cha".split()
    assert "khai sinh" in " ".join(apply_lexicon(newborn))
    # A title shown to register residence is a lawful home, not a land procedure.
    home = " ".join(apply_lexicon("nha da co so hong muon nhap khau".split()))
    assert "cho o hop phap" in home and "quyen su dung dat" not in home
    assert "quyen su dung dat" in " ".join(apply_lexicon("sang ten so hong".split()))
    # Building a house is why garden land is converted; on residential land it needs a permit.
    garden = " ".join(apply_lexicon("chuyen dat vuon len tho cu de xay nha".split()))
    assert "giay phep xay dung" not in garden and "dat o" in garden
    built = " ".join(apply_lexicon("dat da len tho cu roi gio xay nha".split()))
    assert "giay phep xay dung" in built
    # A shop closed a few months "to repair the house" is paused; a house repair alone is a permit.
    paused = " ".join(apply_lexicon("tiem toc nghi 3 thang de sua nha".split()))
    assert "tam ngung kinh doanh" in paused and "giay phep xay dung" not in paused
    assert "giay phep xay dung" in " ".join(apply_lexicon("sua nha cap 4".split()))
    # Marrying before military service or while pregnant: the marriage is asked about.
    wed = " ".join(apply_lexicon("muon dang ky ket hon truoc khi di nghia vu".split()))
    assert "tam vang" not in wed
    assert "thai san" not in " ".join(apply_lexicon("da co bau muon lay giay hon thu".split()))
    # One's own income tax settled after two employers is filed directly with the tax office.
    own = " ".join(apply_lexicon("lam 2 cty nen phai tu quyet toan thue".split()))
    assert "truc tiep quyet toan voi co quan thue" in own
    # A contract notarised already is the step before the transfer asked about.
    next_step = "hai ben da ra cong chung hop dong roi buoc tiep theo de dat dung ten toi".split()
    assert "cong chung" not in " ".join(apply_lexicon(next_step))
    # Asking to be counted among the needy, whatever the category is called.
    needy = " ".join(apply_lexicon("muon duoc xet vao diem kho khan".split()))
    assert "cong nhan ho ngheo" in needy
    # A child's or a first passport is the ordinary passport; someone else's lost one is not.
    assert "ho chieu pho thong" in " ".join(apply_lexicon("ho chieu cho be 2 tuoi".split()))
    assert "ho chieu pho thong" in " ".join(apply_lexicon("chua tung co passport".split()))
    lost = " ".join(apply_lexicon("ho chieu cho nguoi nuoc ngoai bi mat".split()))
    assert "pho thong" not in lost
    # English: a stepchild to adopt, told through the spouse's earlier marriage.
    adopt = apply_lexicon("married vietnamese woman son first marriage adopt".split())
    assert "con rieng" in " ".join(adopt) and "ket hon" not in " ".join(adopt)
    assert "ket hon" in " ".join(apply_lexicon("married vietnamese woman".split()))
    # A lost marriage paper whose register is gone too, wanted for land papers: registered again.
    lost = "giay ket hon bi moi an mat xa khong con giu so muon co lai de lam giay to nha dat"
    again = " ".join(apply_lexicon(lost.split()))
    assert "dang ky lai" in again and "thua ke" not in again and "quyen su dung dat" not in again
    late = " ".join(apply_lexicon("bo mat nam 1998 lam giay to dat doi giay chung tu".split()))
    assert "khai tu" in late and "thua ke" not in late
    inherited = " ".join(apply_lexicon("bo toi mat de lai manh dat gio sang ten cho me".split()))
    assert "thua ke" in inherited
    # English: a foreigner who lived here for years and wants citizenship naturalises here.
    citizen = "lived vietnam 8 years married vietnamese woman become vietnamese citizen".split()
    naturalised = " ".join(apply_lexicon(citizen))
    assert "nhap quoc tich" in naturalised and "o trong nuoc" in naturalised
    assert "ket hon" not in naturalised
    # Livestock to quarantine are land animals; a foreigner who has left asks as a past resident.
    pigs = " ".join(apply_lexicon("cho 50 con heo ra tinh khac can giay kiem dich".split()))
    assert "dong vat tren can" in pigs
    left = "used work vietnam moved back uk police clearance".split()
    assert "da cu tru tai viet nam" in " ".join(apply_lexicon(left))
    # A child born before the wedding to carry the father's name: birth and recognition together.
    unwed = "sinh con ma chua dang ky ket hon muon cho be mang ho ba".split()
    assert "nhan cha me con" in " ".join(apply_lexicon(unwed))
    # "bị mất" after a paper is lost; a father who lost his job has not died.
    assert "cap lai" in " ".join(apply_lexicon("the abtc bi mat".split()))
    assert "khai tu" not in " ".join(apply_lexicon("bo toi bi mat viec".split()))
    assert "khai tu" in " ".join(apply_lexicon("bo toi moi mat".split()))
    # A miscarriage is maternity; an invoice issued wrong; a licence to the plastic card.
    assert "thai san" in " ".join(apply_lexicon("vo bi say thai luc 10 tuan".split()))
    assert "lap sai" in " ".join(apply_lexicon("hoa don ghi sai mst cua khach".split()))
    assert "doi giay phep lai xe" in " ".join(apply_lexicon("bang xe may doi sang the pet".split()))
    # Cards put into the identity card; a pension not yet collected by someone who died.
    merged = " ".join(apply_lexicon("tich hop the bhyt vao can cuoc".split()))
    assert "tich hop cap nhat" in merged
    unpaid = " ".join(apply_lexicon("ba noi mat ma luong huu chua kip lanh".split()))
    assert "truy linh" in unpaid
    # "… online được không" asks about the channel, not about online businesses.
    channel = " ".join(apply_lexicon("dang ky ho kinh doanh online duoc khong".split()))
    assert "truc tuyen" not in channel
    assert "truc tuyen" in " ".join(apply_lexicon("kinh doanh online co phai dang ky".split()))
    # A husband who died is the story of a poor household's request, not a death to register.
    poor = "chong em mat nam ngoai nuoi 3 con muon xin xet ho ngheo".split()
    assert "khai tu" not in " ".join(apply_lexicon(poor))
    # A house built on a titled plot is added to the title; English swaps and dissolutions.
    added = " ".join(apply_lexicon("xay nha xong muon bo sung can nha vao so".split()))
    assert "tai san gan lien voi thua dat" in added
    swap = " ".join(apply_lexicon("swap uk licence vietnamese".split()))
    assert "doi giay phep lai xe" in swap
    assert "giai the" in " ".join(apply_lexicon("close down company".split()))
    # A will still being made is no inheritance; settling income tax is the employee's own.
    will = " ".join(apply_lexicon("muon lap di chuc de lai can nha cho con".split()))
    assert "thua ke" not in will
    settle = " ".join(apply_lexicon("quyet toan thue tncn han chot".split()))
    assert "truc tiep quyet toan" in settle
    trader = " ".join(apply_lexicon("ho kinh doanh quyet toan thue".split()))
    assert "truc tiep quyet toan" not in trader
    # A vehicle sold but still in the seller's name; an orphan left behind is no inheritance.
    sold = " ".join(apply_lexicon("ban xe cho nguoi ta roi ma ca vet van ten minh".split()))
    assert "thu hoi chung nhan dang ky xe" in sold
    orphan = "em gai mat vi tai nan de lai dua chau 8 tuoi".split()
    assert "thua ke" not in " ".join(apply_lexicon(orphan))
    dissolved = " ".join(apply_lexicon("cong ty tnhh thong nhat giai the".split()))
    assert "giai the doanh nghiep" in dissolved
    # A house built on a plot whose title names only the land; a baby with no papers yet.
    house = " ".join(apply_lexicon("xay nha 3 tang xong ma so do moi co dat".split()))
    assert "tai san gan lien voi thua dat" in house
    baby = " ".join(apply_lexicon("con sinh duoc 3 thang chua lam giay to gi".split()))
    assert "dang ky khai sinh" in baby
    # A lost licence by its abbreviation; a retest asked about is part of the re-issue.
    lost = " ".join(apply_lexicon("mat luon cai gplx o to co phai thi lai khong".split()))
    assert "cap lai" in lost and "thi lai" not in lost
    # A burnt birth certificate whose register was spoilt too: registered again.
    burnt = " ".join(apply_lexicon("giay khai sinh bi chay so luu o xa cung hu het".split()))
    assert "dang ky lai" in burnt and "cap lai bi mat" not in burnt


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # A periodic inspection, not the new car's exemption from its first one …
        ("đăng kiểm xe ô tô định kỳ", "1.005103"),
        # … which is asked for by saying so.
        ("xe ô tô mới được miễn kiểm định lần đầu thì cấp tem kiểm định thế nào", "1.013089"),
        # Pigs are land animals: not the aquatic quarantine, which fish ask for.
        ("kiểm dịch động vật vận chuyển ra khỏi tỉnh", "1.002338"),
        ("kiểm dịch cá giống vận chuyển ra khỏi tỉnh", "2.000873"),
        # Farmers founding a cooperative, not the cooperative group they did not name.
        ("đăng ký thành lập hợp tác xã", "1.005280"),
        ("thông báo thành lập tổ hợp tác", "2.002226"),
        # Garden land to residential needs a permit: not the exception that needs none …
        ("chuyển mục đích sử dụng đất vườn lên đất ở", "1.013949"),
        # … which is asked for by saying so.
        ("đăng ký chuyển mục đích sử dụng đất không cần xin phép", "1.013992"),
    ],
)
def test_a_variant_for_a_special_case_waits_to_be_asked_for(query: str, code: str) -> None:
    variants = [
        SearchDoc(
            "1.005103",
            "Cấp Giấy chứng nhận kiểm định, Tem kiểm định an toàn kỹ thuật và bảo vệ môi trường "
            "cho xe cơ giới (trừ xe mô tô, xe gắn máy)",
        ),
        SearchDoc(
            "1.013089",
            "Cấp Giấy chứng nhận kiểm định, Tem kiểm định an toàn kỹ thuật và bảo vệ môi trường "
            "cho xe cơ giới (trừ xe mô tô, xe gắn máy), xe máy chuyên dùng trong trường hợp miễn "
            "kiểm định lần đầu",
        ),
        SearchDoc(
            "1.002338",
            "Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật trên cạn vận chuyển ra khỏi "
            "địa bàn cấp tỉnh",
        ),
        SearchDoc(
            "2.000873",
            "Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật thủy sản vận chuyển ra khỏi "
            "địa bàn cấp tỉnh",
        ),
        SearchDoc("1.005280", "Đăng ký thành lập hợp tác xã, liên hiệp hợp tác xã"),
        SearchDoc("2.002226", "Thông báo thành lập/thay đổi tổ hợp tác"),
        SearchDoc(
            "1.013949",
            "Giao đất, cho thuê đất, chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
        ),
        SearchDoc(
            "1.013992",
            "Đăng ký biến động chuyển mục đích sử dụng đất không phải xin phép cơ quan nhà nước "
            "có thẩm quyền",
        ),
    ]
    index = SearchIndex.build([*DOCS, *variants])
    assert index.search(query)[0].code == code


def test_a_benefit_for_the_uninsured_waits_to_be_asked_for() -> None:
    """Disaster volunteers without social insurance have their own survivors' benefit: it ranks
    lower for a worker's family than for a volunteer's, all else equal."""
    volunteers = SearchDoc(
        "1.010092",
        "Trợ cấp tiền tuất, tai nạn (đối với trường hợp tai nạn suy giảm khả năng lao động từ 5% "
        "trở lên) cho lực lượng xung kích phòng chống thiên tai cấp xã chưa tham gia bảo hiểm xã "
        "hội",
    )
    index = SearchIndex.build([*DOCS, volunteers])

    def score(who: str) -> float:
        hits = index.search(f"chồng tôi là {who} mất vì tai nạn, được trợ cấp tiền tuất gì")
        return next(h.score for h in hits if h.code == volunteers.code)

    assert score("dân quân") > 1.1 * score("thợ may")


def test_english_background_is_not_the_request() -> None:
    # "with a TRC" says who asks, the motorbike what is asked; English keeps the conditional
    # entries of "TRC" although "the TRC" folds to the same key without its function word.
    bike = apply_lexicon("foreigner trc bought motorbike transfer".split(), _LEXICON_EN)
    assert "tam tru" not in " ".join(bike)
    assert "the tam tru" in " ".join(apply_lexicon("trc renewal documents".split(), _LEXICON_EN))
    docs = [*DOCS, SearchDoc("1.004873", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân")]
    single = "The office says I need a paper proving I'm single. How do I get it?"
    assert SearchIndex.build(docs).search(single)[0].code == "1.004873"


def test_a_forgotten_tone_is_a_slip_not_another_word() -> None:
    passport = marked_words("Trình báo mất hộ chiếu phổ thông")
    assert tone_dropped(mark_key("chiêu"), passport)  # the hat typed, the tone forgotten
    assert not tone_dropped(mark_key("chiếu"), passport)  # typed right: nothing to forgive
    assert not tone_dropped(mark_key("chieu"), passport)  # plain on purpose in a marked text
    assert not tone_dropped(mark_key("vàng"), marked_words("Khai báo tạm vắng"))


def test_marks_agree_as_names_are_compared() -> None:
    # The tone where old spelling or a slip put it, hỏi for ngã: the same syllable.
    assert marks_agree(["hoà"], ["hòa"]) and marks_agree(["khâủ"], ["khẩu"])
    assert marks_agree(["bảo", "hiễm"], ["bảo", "hiểm"])
    # The hat or horn typed, the tone left out: a slip ("công chưng", "hộ chiêu").
    assert marks_agree(["công", "chưng"], ["công", "chứng"]) and marks_agree(["chiêu"], ["chiếu"])
    # Other letters or another tone: not the same word.
    assert not marks_agree(["cuối"], ["cưới"]) and not marks_agree(["để"], ["đẻ"])
    assert not marks_agree(["mở"], ["mờ"])
    # "đ" is a mark too: "đia chỉ" has its tone left out; a plain "dia" typed on purpose does not.
    assert marks_agree(["đia", "chỉ"], ["địa", "chỉ"]) and not marks_agree(["dia"], ["địa"])


def test_lexicon_conditions() -> None:
    lost = apply_lexicon("mat the can cuoc".split())
    assert lost[-2:] == ["cap", "lai"]
    died = apply_lexicon("bo toi mat roi".split())
    assert "khai" in died and "lai" not in died
    # "mất bao lâu" (takes how long) is neither lost nor died.
    assert "lai" not in apply_lexicon("lam ho chieu mat bao lau".split())
    # A death in the story of another request (a pension, an accident) is not a lost paper
    # nor a death registration.
    pension = apply_lexicon("ba noi mat ma luong huu chua lanh".split())
    assert "khai" not in pension and "lai" not in pension
    accident = apply_lexicon("bo me mat vi tai nan giay to cua chau".split())
    assert "lai" not in accident
    # "cuối năm" (year end) folds like "cưới" (marry) and stays what it is.
    assert "hon" not in apply_lexicon("cuoi nam moi biet phai quyet toan".split())
    assert "hon" in apply_lexicon("hai dua sap cuoi".split())
    # A worn paper is exchanged; "mở"/"hồng" are not "mờ"/"hỏng".
    assert apply_lexicon("ca vet mo chu".split())[-2:] == ["cap", "doi"]
    assert "doi" not in apply_lexicon("mo cua hang xin giay phep".split())
    assert "doi" not in apply_lexicon("so hong dung ten ai".split())
    # A parent's nationality makes a birth registration the foreign-element one …
    assert "ngoai" in apply_lexicon("chong quoc tich han khai sinh cho be".split())
    # … but not a naturalisation.
    assert "ngoai" not in apply_lexicon("nhap quoc tich viet nam".split())
    # An official coming to the house: the mobile variant; VNeID as a channel is dropped.
    assert "dong" in apply_lexicon("can bo xuong tan nha lam khai tu".split())
    assert "danh" not in apply_lexicon("xin ho chieu qua vneid".split())
    assert "danh" in apply_lexicon("kich hoat vneid".split())


def test_typed_marks_keep_folded_look_alikes_apart(index: SearchIndex) -> None:
    # Typed with marks, "mở" (open) is not "mờ" (faded) and "cuối" (end) is not "cưới" (marry);
    # typed without, folding is all there is and the rule applies.
    def parsed(text: str) -> list[str]:
        q = index._parse(text)
        assert q is not None
        return q.tokens

    assert "ket" not in parsed("cuối tháng lương hưu chưa lãnh")
    assert "ket" in parsed("hai đứa sắp cưới")
    assert "doi" in parsed("cà vẹt bị mờ")
    assert "doi" not in parsed("giấy phép cửa hàng bị mở")
    assert marked_syllables("Cà vẹt mờ, ok") == ["cà", "vẹt", "mờ", "ok"]
    # In a message typed with marks a plain syllable is plain: "chi nhánh" keeps its "chi" (not
    # the pronoun "chị", a filler); from a writer who marks only now and then it is unknown.
    assert "chi" in parsed("đóng cửa chi nhánh ở Cần Thơ")
    assert marked_syllables("lam giay khai sinh ở đâu")[:4] == [None] * 4
    assert marked_syllables("a-b ²") == [None, None]


def test_a_condition_written_with_marks_holds_only_where_typed_with_them(tmp_path: Path) -> None:
    # "đẻ" (give birth) as an exception must not be silenced by the "để" (in order to) of a
    # message typed with marks; typed without marks, folding is all there is.
    path = tmp_path / "lexicon.tsv"
    path.write_text("nằm viện\tchế độ ốm đau\tadd\tunless=đẻ\n", encoding="utf-8")
    lexicon = _load_lexicon(path)

    def hinted(text: str) -> bool:
        return "om" in apply_lexicon(fold(text).split(), lexicon, marks=marked_syllables(text))

    assert hinted("con nằm viện, em nghỉ làm để chăm con")
    assert not hinted("vợ nằm viện chờ đẻ")
    assert not hinted("con nam vien, em nghi lam de cham con")


def test_a_condition_after_an_unconditional_entry_is_refused(tmp_path: Path) -> None:
    # It could never apply: the first entry whose conditions hold wins, and the first holds
    # always. Conditions go first; a repeated unconditional line is only redundant.
    path = tmp_path / "lexicon.tsv"
    path.write_text("back\t\tdrop\nback\ttrở lại quốc tịch\treplace\tif=nationality\n", "utf-8")
    with pytest.raises(ValueError, match=r"lexicon\.tsv:2: shadowed"):
        _load_lexicon(path)
    path.write_text("back\ttrở lại quốc tịch\treplace\tif=nationality\nback\t\tdrop\n", "utf-8")
    lexicon = _load_lexicon(path)
    assert apply_lexicon("want back nationality".split(), lexicon)[:3] == ["want", "tro", "lai"]
    assert apply_lexicon("go back home".split(), lexicon) == ["go", "home"]
    # An operator's entry (read first) may override a shipped conditional one on purpose.
    path.write_text("back\ttrở lại quốc tịch\treplace\tif=nationality\n", "utf-8")
    assert _load_lexicon(path, extra=["back\t\tdrop"])


def test_action_verb_outweighs_the_object(index: SearchIndex) -> None:
    assert top(index, "bổ sung thông tin hộ tịch cho con") == "1.004859"
    assert top(index, "thu hồi bằng lái xe") == "3.000352"


def test_plausible_candidates_are_offered_not_refused(index: SearchIndex) -> None:
    hits = index.search("em hỏi chút về giấy phép cho xe với ạ")
    assert hits and decide(hits) is not Verdict.NONE


# --- aliases, subject kinds, aspects ---------------------------------------------------------


def test_alias_file_is_valid_and_merged_by_code(tmp_path: Path) -> None:
    table = load_aliases()
    assert len(table) >= 150
    assert all(len(code) == 8 and code[1] == "." for code in table)
    path = tmp_path / "a.tsv"
    path.write_text("# c\n1.000001,1.000002\tlàm giấy A | giấy A mới\n", encoding="utf-8")
    small = load_aliases(path)
    docs = with_aliases(
        [
            SearchDoc(code="1.000001", name="A", aliases=("x",)),
            SearchDoc(code="9.999999", name="B"),
        ],
        small,
    )
    assert docs[0].aliases == ("x", "làm giấy A", "giấy A mới")
    assert docs[1].aliases == ()
    # A provincial copy shares its national code's phrasings.
    copy = with_aliases([SearchDoc(code="1.000002.000.00.00.H01", name="A'")], small)
    assert copy[0].aliases == ("làm giấy A", "giấy A mới")
    path.write_text("1.000001 no tab\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_aliases(path)


def test_alias_phrasing_meets_a_message() -> None:
    docs = [
        SearchDoc(code="1.000001", name="Đăng ký biến động quyền sử dụng đất", aliases=()),
        SearchDoc(code="1.000002", name="Cấp giấy phép khai thác cát", aliases=()),
    ]
    plain = SearchIndex.build(docs)
    aliased = SearchIndex.build(with_aliases(docs, {"1.000001": ("sang tên sổ đỏ",)}))
    before = plain.search("sang ten so do cho con")
    assert not before or before[0].score < 0.5
    hits = aliased.search("sang ten so do cho con")
    assert hits and hits[0].code == "1.000001"


def test_subject_kind() -> None:
    assert subject_kind("Công dân Việt Nam, Doanh nghiệp") == "citizen"
    assert subject_kind("Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)") == "organisation"
    assert subject_kind("Cán bộ, công chức, viên chức") == "official"
    assert subject_kind("") == ""


def test_organisation_procedure_waits_to_be_asked() -> None:
    name = "Cấp tài khoản định danh điện tử công ty"
    docs = [
        SearchDoc(code="1.000001", name=name, subject="citizen", popular=True),
        SearchDoc(code="1.000002", name=name, subject="organisation", popular=True),
    ]
    index = SearchIndex.build(docs)
    plain = {h.code: h.score for h in index.search("cấp tài khoản định danh điện tử")}
    assert plain["1.000002"] < plain["1.000001"]
    # Asked for a company, the organisation procedure is not demoted.
    asked = {h.code: h.score for h in index.search("cấp tài khoản định danh điện tử công ty")}
    assert asked["1.000002"] == asked["1.000001"]


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("làm khai sinh hết bao nhiêu tiền", "fee"),
        ("chuyển lên đất ở thì tiền sử dụng đất tính thế nào", "fee"),
        ("cây trước nhà muốn chặt thì phải xin phép ai", "where"),
        ("dẹp tiệm thì báo ai", "where"),
        ("ai được đứng ra đăng ký khai tử cho người mất", "eligibility"),
        ("mún mở cty bán hàng online thì lm ntn", None),
        ("lam can cuoc lan dau can mag gi", "documents"),
        # "những gì" is not always papers: what to do, what one is entitled to.
        ("mất hộ chiếu, giờ phải làm những gì", None),
        ("cho mấy bạn khách Tây thuê phòng, báo công an trên trang web nào", "online"),
        ("đk hộ kinh doanh online dc ko mn", "online"),
        ("rut bhxh 1 lan tren vssid duoc khong", "online"),
        ("con đủ 14t r, đi lm căn cước có cần mang giấy khai sinh k", "documents"),
        ("thẻ tạm trú cho chồng được thời hạn mấy năm", "result"),
        ("mẹ nằm một chỗ, tôi lĩnh thay mẹ được không", "eligibility"),
        ("muốn khiếu nại quyết định xử phạt thì gửi đơn cho ai", "where"),
        ("BHXH tự nguyện mức đóng thấp nhất một tháng là bao nhiêu", "fee"),
        ("lam khai sinh mat bao nhieu tien", "fee"),
        ("how much is the fee for a passport", "fee"),
        ("đổi bằng lái bao lâu thì có", "time"),
        ("doi bang lai may ngay co", "time"),
        ("làm căn cước cần mang theo giấy tờ gì", "documents"),
        ("what documents do i need for a birth certificate", "documents"),
        ("đăng ký tạm trú ở đâu", "where"),
        ("dki tam tru o dau v", "where"),
        ("làm hộ chiếu online được không", "online"),
        ("can i renew my passport online", "online"),
        ("xong thì nhận kết quả ở đâu", "result"),
        ("ông bà làm khai sinh thay cho cháu được không", "eligibility"),
        ("các bước đăng ký kết hôn", "steps"),
        ("làm khai tử có mất đồng nào không", "fee"),
        ("nộp trên dịch vụ công thì bao lâu có hộ chiếu", "time"),
        ("ra xã chứng thực lấy liền trong ngày được không", "time"),
        ("xin miễn thuế thì chuẩn bị hồ sơ ra sao", "documents"),
        ("muốn sang Lào thăm họ hàng thì xin giấy gì", None),  # which procedure, not documents
        ("sổ đỏ cấp xong có giá trị bao lâu", "result"),
        ("sang tên xe phải đóng bao nhiêu", "fee"),
        ("is it free to register a birth", "fee"),
        ("khi nào lấy được hộ chiếu", "time"),
        ("căn cước mất mấy tuần mới xong", "time"),
        ("không cần lên xã mà vẫn làm được không", "online"),
        ("tôi gửi hồ sơ qua bưu điện được không", "online"),
        ("ra phường hay lên tỉnh làm", "where"),
        ("which office issues the temporary residence card", "where"),
        ("hồ sơ như thế nào", "documents"),
        ("điều kiện để được hưởng trợ cấp thất nghiệp là gì", "eligibility"),
        ("quy trình tách thửa gồm những bước nào", "steps"),
        # Who may file (for someone, alone, oneself) and the minimum to qualify.
        ("ông nội đi làm căn cước giúp cháu được không", "eligibility"),
        ("vợ tôi đi nộp hồ sơ một mình được không", "eligibility"),
        ("tôi tự nộp hồ sơ tách thửa được không hay phải nhờ văn phòng", "eligibility"),
        ("chị gái đi khai tử cho bố được không", "eligibility"),
        ("đất vườn diện tích tối thiểu bao nhiêu thì được tách thửa", "eligibility"),
        ("lập hợp tác xã ít nhất mấy thành viên mới được", "eligibility"),
        ("những ai được hỗ trợ tiền điện hộ nghèo", "eligibility"),
        ("mở công ty cổ phần cần vốn tối thiểu bao nhiêu", "eligibility"),
        ("do I need a permit to visit the border area", "eligibility"),
        # What a benefit pays is its result; "ở đâu nhanh nhất" asks where.
        ("nghỉ thai sản được hưởng những chế độ gì", "result"),
        ("bị tai nạn lao động thì nhận được bao nhiêu tiền", "result"),
        ("công chứng hợp đồng ở đâu nhanh nhất", "where"),
        ("bằng lái hết hạn 2 năm có phải thi sát hạch lại không", "eligibility"),
        # Papers in the story, not asked about; a move, not what to bring.
        ("chưa có giấy tờ gì, giờ đăng ký xe ở đâu", "where"),
        ("về nước mang theo đồ dùng cá nhân thì khai hải quan ở đâu", "where"),
        ("đi phỏng vấn cần mang theo giấy gì", "documents"),
        # A fee is paid somewhere; a tax one may owe; a minimum number of members.
        ("lệ phí trước bạ khi sang tên nhà đất nộp ở đâu", "where"),
        ("cho con nhà có phải đóng thuế thu nhập cá nhân không", "fee"),
        ("thành lập công ty cổ phần cần tối thiểu bao nhiêu người", "eligibility"),
        # What a benefit or an extension gives; a judgment in force is the story.
        ("con cháu được lãnh những khoản gì từ bảo hiểm", "result"),
        ("đi làm bị tai nạn thì được hỗ trợ những khoản gì", "result"),
        ("giấy phép xây dựng xin gia hạn thì được thêm bao lâu", "result"),
        ("bản án có hiệu lực 3 tháng rồi, giờ làm đơn ở đâu để cưỡng chế", "where"),
        ("bà chưa bao giờ có giấy khai sinh, giờ xin ở đâu", "where"),
        # Steps named outright win; read on the internet is a story; free legal help is who
        # qualifies; a minimum area; a judgment in force; a letter sent to whom.
        ("nhận con nuôi gồm những bước nào, có phải chờ niêm yết lâu không", "steps"),
        ("đọc trên mạng thấy trẻ con làm được căn cước, làm cho bé ở đâu", "where"),
        ("mẹ tôi có được luật sư nhà nước giúp miễn phí không", "eligibility"),
        ("diện tích tối thiểu được tách thửa là bao nhiêu", "eligibility"),
        ("thời hạn yêu cầu thi hành án là bao lâu, án có hiệu lực từ năm 2022", "time"),
        ("giấy phép có hiệu lực mấy năm", "result"),
        ("muốn xã hòa giải thì viết đơn gửi ai", "where"),
        # What a scheme pays, with or without "khoản"; which taxes; the least one pays; a letter
        # sent where; conditions asked in English; an age and "được không"; days off as money.
        ("được nhà nước hỗ trợ những khoản gì", "result"),
        ("đi cứu lũ bị thương, được hỗ trợ những gì", "result"),
        ("sang tên sổ đỏ phải nộp những loại thuế phí nào", "fee"),
        ("bhxh tự nguyện đóng tối thiểu bao nhiêu 1 tháng", "fee"),
        ("tòa xử rồi mà họ không trả, tôi phải làm đơn gửi đâu", "where"),
        ("muốn hưởng chế độ ốm đau thì nộp giấy ra viện cho ai", "where"),
        ("giờ muốn làm sổ lần đầu thì nộp hồ sơ ở xã hả", "where"),
        ("làm định danh mức 2 thì ra công an xã làm hay sao", "where"),
        ("I want to become a Vietnamese citizen. What are the conditions?", "eligibility"),
        ("who has to declare my stay to the police, me or my landlord", "eligibility"),
        ("bé nhà em 3 tuổi làm căn cước được không", "eligibility"),
        # "… được không" asking nothing else asks whether it may be done (nine writers of
        # eleven say so); another aspect asked with it wins.
        ("giấy kết hôn bị mất làm lại được không", "eligibility"),
        ("đăng ký tạm trú cho người thuê được không ạ", "eligibility"),
        ("làm hộ chiếu online được không", "online"),
        ("làm căn cước mất bao lâu, gấp được không", "time"),
        # Chat shorthand without "ở", an office asked by kind, one of two offices.
        ("trích lục khai tử lm đâu", "where"),
        ("cai nghiện tự nguyện đk đâu", "where"),
        ("xin sao bản án ly hôn ở tòa nào", "where"),
        ("xưởng nhỏ có phải xin giấy phép môi trường không, ai cấp", "where"),
        ("chứng thực bản sao cccd ở bưu điện đc ko hay phải lên ubnd", "where"),
        # A certificate one needs is the topic; where to get it is the question.
        ("cần giấy xác nhận có quốc tịch Việt Nam thì xin ở đâu", "where"),
        ("làm lại thì cần giấy xác nhận mất của công an ko ạ", "documents"),
        ("đổi bằng lái ô tô sang hạng mới trên vneid đc ko ạ", "online"),
        ("tam tru onl dc ko", "online"),
        ("e bán hàng onl trên shopee có cần đk hkd hok", None),
        ("I'd like to adopt her son from her first marriage. Is that possible?", "eligibility"),
        ("Karaoke xin GCN đủ ĐK ANTT cần HS gì", "documents"),
        ("tách thửa nộp HS ở VP đăng ký đất đai hay UBND xã", "where"),
        ("chồng đc hưởng chế độ TS khi vợ sinh ko", "eligibility"),
        (
            "My company pays my social insurance. Am I entitled to the paternity benefit?",
            "eligibility",
        ),
        ("If I apply for a criminal record certificate, can it be mailed to my home?", "result"),
        ("Can I speak to a real person please?", None),  # the handoff, not a condition
        # "… được không, hay phải …": whether it may be done now; "bao nhiêu thì mới được".
        (
            "Muốn xin công nhận hộ nghèo giữa năm có được không hay phải đợi rà soát cuối năm?",
            "eligibility",
        ),
        ("Tiền rách như vậy có đổi được tiền mới không?", "eligibility"),
        ("dien tich bao nhieu thi moi duoc tach", "eligibility"),
        ("Giờ làm khai sinh thì cần đem theo gì?", "documents"),
        # Where one works, stepping forward, a purpose: stories, not questions.
        ("Em làm ở xưởng gỗ bị máy cưa đứt 2 ngón tay. Giờ em muốn làm hồ sơ hưởng chế độ", None),
        (
            "Anh chị tui mất, để lại đứa cháu 8 tuổi. Tui muốn đứng ra làm người giám hộ cho nó.",
            None,
        ),
        ("muốn xin xác nhận thu nhập thấp để đủ điều kiện mua nhà ở xã hội", None),
        ("Cho hỏi ai được đứng ra đăng ký khai tử cho người mất?", "eligibility"),
        ("thủ tục này làm ở xã hay phường", "where"),
        # "mất, mấy anh em …" is no "mất mấy ngày"; a stay of a few days; what to do, not bring.
        ("Ba tui mất, mấy anh em đã làm xong văn bản, giờ cần sang tên miếng đất", None),
        ("bà con dưới quê lên chơi ở mấy hôm, có phải báo với công an không", None),
        ("muốn dựng rạp trên vỉa hè 1 ngày thì phải làm giấy tờ gì với phường", None),
        ("cần giấy tờ gì", "documents"),
        # Which office, asked as "… ở UBND xã được không" or "at the commune".
        ("Ông tôi muốn lập di chúc, có chứng thực di chúc ở UBND xã được không?", "where"),
        ("They want my signature certified. Can I do it at the commune?", "where"),
        ("dang ky ket hon xog dc cap giay gi vay", "result"),
        ("How long is a Vietnam e-visa valid for?", "result"),
        ("Vậy mình có xin được bằng lái quốc tế không ạ?", "eligibility"),
        ("mk 17 tuổi có tạo đc tài khoản định danh mức 1 trên vneid ko", "eligibility"),
        ("xây nhà cấp 4 thì có thuộc diện được miễn giấy phép xây dựng không ạ", "eligibility"),
        (
            "Bằng lái bị trừ hết điểm, giờ em đã được đăng ký kiểm tra lại kiến thức chưa ạ?",
            "eligibility",
        ),
        ("đc công nhận hộ cận nghèo thì xã cấp cho giấy j v ạ", "result"),
        ("Quyết toán thuế TNCN được hoàn thì tiền trả về đâu?", "result"),
        ("Đăng ký khai thác nước dưới đất thì nộp cho UBND xã hay Sở Nông nghiệp?", "where"),
        ("hòa giải ở xã không thành, giờ gửi đơn lên ai giải quyết ạ?", "where"),
        ("trích lục khai tử lm đâu ạ", "where"),
        ("e về nhà bạn ở chơi mấy hôm, chủ nhà có cần báo lưu trú ko", None),
        ("I have a valid UK driving licence. I'd like to convert it. What's the fee?", "fee"),
        # Staying home to farm is the story, not filing from home.
        (
            "mạ tui 62 tuổi, ở nhà làm ruộng, có được hưởng tiền tuất hằng tháng không",
            "eligibility",
        ),
        ("nằm viện 5 ngày, muốn lãnh tiền mấy ngày nghỉ thì làm sao", None),
        # Not asking an aspect: a duration in the story, money already paid, a "how" question.
        ("con gái lấy chồng được mấy tháng, giờ chuyển khẩu theo chồng", None),
        ("tôi đã trả hết tiền bồi thường, giờ xin xác nhận", None),
        ("how can I get my first citizen ID card", None),
        ("trên VNeID nhóm máu bị ghi sai", None),  # the data, not the channel
        ("đăng ký kết hôn", None),
        ("", None),
    ],
)
def test_detect_aspect(text: str, aspect: str | None) -> None:
    found = detect_aspect(text)
    assert (found.value if found else None) == aspect


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("give up vietnamese nationality", "2.002036"),
        ("how do I get my Vietnamese nationality back", "1.004757"),
        ("apply for vietnamese citizenship", "2.002039"),
    ],
)
def test_english_verb_particles_decide(query: str, code: str) -> None:
    # "give up" and "get … back" are not stop words here: they choose among the nationality
    # procedures, which share every other word.
    index = SearchIndex.build(
        [
            *DOCS,
            SearchDoc("2.002036", "Thôi quốc tịch Việt Nam ở trong nước", popular=True),
            SearchDoc("2.002039", "Nhập quốc tịch Việt Nam ở trong nước", popular=True),
            SearchDoc("1.004757", "Trở lại quốc tịch Việt Nam ở trong nước", popular=True),
        ]
    )
    assert top(index, query) == code


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    """The bundled catalogue with its aliases, as the bot indexes it."""
    path = Path(__file__).resolve().parents[1] / "bot" / "data" / "catalogue.jsonl"
    records = read_records(path)
    return SearchIndex.build(
        with_aliases(r.search_doc() for _, r in records if not isinstance(r, Exception))
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("mới mua xe ở tỉnh khác, xin biển tạm để chạy về nhà", "1.013083"),
        ("nhà 2 tầng muốn xây thêm tầng nữa thì xin phép gì", "1.013229"),
        ("cơi nới ban công nhà phố có cần giấy phép không", "1.013229"),
        ("dẹp tiệm bán quần áo rồi thì báo ai", "1.001266"),
        ("đất ông bà để lại chỉ có bằng khoán cũ, muốn làm giấy chứng nhận", "1.013978"),
        ("hai vợ chồng muốn nhận một đứa bé bị bỏ rơi về nuôi", "2.001263"),
    ],
)
def test_everyday_actions_in_the_bundled_catalogue(
    bundled: SearchIndex, query: str, code: str
) -> None:
    hits = bundled.search(query)
    assert code in [h.code for h in hits[:3]], [h.name[:50] for h in hits[:3]]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # A lost or torn licence is issued again, whatever vehicle it was for; a first one is not.
        ("mất bằng lái xe máy làm lại ở đâu", "3.000348"),
        ("bằng lái xe máy bị rách làm lại", "3.000348"),
        ("học bằng lái xe máy ở đâu", "3.000346"),
        ("đổi bằng lái ô tô hết hạn", "3.000347"),
    ],
)
def test_a_driving_licence_by_what_happened_to_it(
    bundled: SearchIndex, query: str, code: str
) -> None:
    assert bundled.search(query)[0].code == code


@pytest.mark.parametrize(
    ("message", "hint", "present"),
    [
        # A register lost to a flood: registered again; "không còn lưu" alone says nothing.
        ("sổ khai sinh ở xã không còn lưu", "dang ky lai", True),
        ("tin nhắn cũ không còn lưu", "dang ky lai", False),
        # Burnt with the house: a paper is issued again; a burnt motorbike is no paper.
        ("nhà cháy, sổ đỏ cháy thành tro", "cap lai", True),
        ("xe máy bị cháy ngoài đường", "cap lai", False),
        # A torn banknote is exchanged; a torn shirt is not.
        ("tờ 500 nghìn bị rách một góc", "doi tien", True),
        ("áo bị rách", "doi tien", False),
        # Objecting to a fine is a complaint; objecting to a neighbour is not a procedure.
        ("muốn phản đối quyết định phạt", "khieu nai", True),
        ("phản đối hàng xóm hát karaoke", "khieu nai", False),
        # Renting out is a tax question only when tax is asked.
        ("cho thuê 6 phòng trọ phải đóng thuế không", "cho thue bat dong san", True),
        ("tìm phòng cho thuê gần trường", "cho thue bat dong san", False),
        # Typed without marks, "thuê" (rent) and "thuế" (tax) are one word: the tax is named.
        ("cho sinh vien thue 6 phong, hang xom bao phai dong thue", "cho thue bat dong san", True),
        ("tim phong cho thue gan truong", "cho thue bat dong san", False),
        # "Vừa mất" next to a parent is a death; a wallet just lost is not.
        ("bố tôi vừa mất sáng nay", "khai tu", True),
        ("mẹ tôi vừa mất ví ở chợ", "khai tu", False),
    ],
)
def test_conditional_hints_need_their_context(message: str, hint: str, present: bool) -> None:
    folded = fold(message).split()
    tokens = " ".join(apply_lexicon(folded, marks=marked_syllables(message)))
    assert (hint in tokens) is present, tokens


@pytest.mark.parametrize(
    ("message", "hint", "present"),
    [
        ("I'm renting out my flat, do I have to pay tax on it?", "cho thue bat dong san", True),
        ("I'm renting out my flat, can my tenant register residence?", "cho thue", False),
        ("What quarantine papers do I need for my dog at the airport?", "kiem dich dong vat", True),
        ("quarantine rules for imported seeds", "kiem dich dong vat", False),
        ("how to get tax clearance before leaving Vietnam", "nghia vu thue", True),
    ],
)
def test_english_phrasings_of_foreigners_requests(
    index: SearchIndex, message: str, hint: str, present: bool
) -> None:
    parsed = index._parse(message)
    assert parsed is not None
    assert (hint in " ".join(parsed.tokens)) is present, parsed.tokens


def test_chat_shorthand_and_ages_that_mislead(index: SearchIndex) -> None:
    # "báo trc" is "báo trước" (notify in advance), not a temporary residence card (TRC)…
    notice = index._parse("cty muốn tạm ngừng kd 1 năm thì báo trc bao lâu")
    assert notice is not None and "tru" not in notice.tokens
    trc = index._parse("TRC renewal")
    assert trc is not None and "tru" in trc.tokens
    # … and at 25 an ID card is renewed: the age does not pick the first-card procedure.
    renew = index._parse("sắp 25 tuổi phải đổi thẻ căn cước")
    first = index._parse("làm căn cước cho con 10 tuổi")
    assert renew is not None and "14" not in renew.tokens
    assert first is not None and "14" in first.tokens


def test_lexicon_rules_from_the_ninth_round() -> None:
    # Slips that spell other syllables, in pairs nobody writes on purpose.
    assert apply_lexicon("bo xung ten bo".split())[:2] == ["bo", "sung"]
    assert "di chuc" in " ".join(apply_lexicon("lap di truc de lai nha".split()))
    assert "ho chieu" in " ".join(apply_lexicon("ho chiu het han".split()))
    # Wrong details on an identity card: exchanged; on an insurance book: not the card.
    card = " ".join(apply_lexicon("can cuoc bi sai ngay sinh lam lai".split()))
    assert "cap doi the can cuoc" in card
    book = " ".join(apply_lexicon("so bhxh sai ngay sinh so voi can cuoc".split()))
    assert "cap doi the can cuoc" not in book
    # A household business that moves; a family that moves is not one.
    moved = " ".join(apply_lexicon("ho kinh doanh chuyen dia chi sang phuong khac".split()))
    assert "thay doi noi dung dang ky ho kinh doanh" in moved
    assert "ho kinh doanh" not in " ".join(apply_lexicon("gia dinh chuyen dia chi".split()))
    # A closed tax code is restored; leaving poverty on one's own request is the regular one.
    assert "khoi phuc ma so thue" in " ".join(apply_lexicon("ma so thue bi dong".split()))
    poverty = " ".join(apply_lexicon("muon xin ra khoi ho ngheo".split()))
    assert "thoat ngheo thuong xuyen" in poverty
    review = " ".join(apply_lexicon("ra khoi ho ngheo dot ra soat cuoi nam".split()))
    assert "thuong xuyen" not in review
    # A landslide on a titled plot shrinks it; a landslide on a house asks for relief.
    plot = " ".join(apply_lexicon("dat bi sat lo co phai lam lai so".split()))
    assert "giam dien tich thua dat" in plot
    relief = " ".join(apply_lexicon("nha bi sat lo co duoc ho tro".split()))
    assert "giam dien tich" not in relief and "thien tai" in relief
    # A birth certificate whose father's part was left blank "for the child": registered already.
    blank = " ".join(apply_lexicon("luc lam khai sinh cho con thi bo trong phan ten cha".split()))
    assert "khai sinh" not in blank


def test_a_long_story_is_read_to_its_request() -> None:
    """A story longer than the words read from its start keeps its last sentence: the request."""
    story = "Nhà tôi ở quê, " + "ba má làm ruộng quanh năm vất vả, " * 12
    message = f"{story}. Cho hỏi đăng ký thành lập hợp tác xã cần giấy tờ gì?"
    assert len(message.split()) > MAX_QUERY_TOKENS
    read = readable_part(message)
    assert read.startswith("Nhà tôi ở quê") and "thành lập hợp tác xã" in read
    assert len(read.split()) <= MAX_QUERY_TOKENS + 25
    assert readable_part("làm căn cước ở đâu") == "làm căn cước ở đâu"


def test_a_founding_asked_is_not_answered_with_its_revocation() -> None:
    index = SearchIndex.build(
        [
            SearchDoc("1.005280", "Đăng ký thành lập hợp tác xã, liên hiệp hợp tác xã"),
            SearchDoc(
                "2.002636",
                "Đề nghị thu hồi Giấy chứng nhận đăng ký tổ hợp tác, Giấy chứng nhận đăng ký hợp "
                "tác xã, Giấy chứng nhận đăng ký liên hiệp hợp tác xã",
            ),
        ]
    )
    # "thương lái" (a trader) and "hợp lại" (join) are no "again".
    story = (
        "Mấy hộ trồng sầu riêng bị thương lái ép giá, muốn hợp lại lập hợp tác xã. "
        "Đăng ký thành lập hợp tác xã cần giấy tờ gì?"
    )
    assert index.search(story)[0].code == "1.005280"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("hộ chíu hết hạn rồi, làm lại mất mấy ngày", "1.001456"),
        ("căn cươc bị sai ngày sinh, làm lại có mất phí ko", "1.014063"),
        ("dat nha toi bi sat lo mat 1 phan xuong song, co phai lam lai so khong", "1.013833"),
    ],
)
def test_ninth_round_on_the_bundled_catalogue(bundled: SearchIndex, query: str, code: str) -> None:
    assert bundled.search(query)[0].code == code


def test_english_phrases_are_read_without_their_function_words() -> None:
    """English messages lose "the", "in", "now" before the lexicon: a phrase must still say what
    it means once they are gone ("now live in" would be "live", any "live")."""

    def en(text: str) -> str:
        return " ".join(apply_lexicon(text.lower().split(), _LEXICON_EN))

    left = "nguoi nuoc ngoai da cu tru tai viet nam"
    assert left in en("worked vietnam 2016 2021 live germany criminal record")
    assert left in en("longer vietnam police certificate")
    assert left not in en("live hanoi need criminal record certificate")
    assert "ket hop" not in en("time register birth baby")


def test_lexicon_rules_from_the_tenth_round() -> None:
    def en(text: str) -> str:
        return " ".join(apply_lexicon(text.split(), _LEXICON_EN))

    def vi(text: str) -> str:
        return " ".join(apply_lexicon(text.split()))

    # A foreigner's death has a foreign element; a foreigner's wedding keeps its own rule.
    assert "co yeu to nuoc ngoai" in en("korean friend passed away da nang")
    assert "co yeu to nuoc ngoai" not in en("british marry vietnamese girlfriend")
    assert "co yeu to nuoc ngoai" not in en("dad passed away home")
    assert "co yeu to nuoc ngoai" in en("husband french birth certificate spells name wrong")
    # English wording of a treaty's exemption, a one-off payment, collecting for someone.
    assert "hiep dinh thue" in en("apply tax exemption double tax treaty")
    assert "tro cap mot lan" in en("pension moving abroad one time payment")
    assert "uy quyen linh thay" in en("collect pension behalf")
    assert "uy quyen" not in en("apply behalf company")
    assert "duoi nuoc" in en("bought two jet skis register")
    # Pesticides; a company's office moves with its head office; residence data set right.
    assert "thuoc bao ve thuc vat" in vi("mo cua hang ban thuoc tru sau")
    assert "dang ky thanh lap ho kinh doanh" not in vi("mo cua hang ban thuoc tru sau")
    assert "chuyen tru so" in vi("cty chuyen vp sang phuong khac")
    assert "chuyen tru so" not in vi("chuyen vp sang phong khac")
    moved = vi("thong tin cu tru ghi sai ngay sinh cua me")
    assert "dieu chinh thong tin ve cu tru" in moved and "ho tich" not in moved
    assert "ho tich" in vi("giay khai sinh ghi sai ngay sinh")
    # A civil-status paper lost with the commune's book: registered again; a land title: reissued.
    assert "dang ky lai" in vi("giay bao tu that lac so o xa cung khong con")
    assert "cap lai" in vi("so do bi that lac")
    # A mortgage on a land title is released as a land security; a car's is not.
    assert "quyen su dung dat" in vi("tra het no muon xoa the chap tren so do")
    assert "quyen su dung dat" not in vi("tra het no muon xoa the chap xe o to")
    assert "so hong" in vi("xoa the chap tren xo hong")
    # A stepchild adopted names the stepfather, in English and in Vietnamese; one not adopted
    # stays a spouse's child.
    assert "cha duong" in en("adopt son previous marriage")
    assert "cha duong" not in en("son previous marriage lives with us")
    assert "cha duong" in vi("chong toi muon nhan con rieng cua toi lam con nuoi")
    assert "cha duong" not in vi("con rieng cua chong toi can lam can cuoc")
    # Marriage as the background of a nationality request; a foreign marriage to be recorded.
    assert "ket hon" not in vi("toi nguoi han quoc lay vo viet nam muon nhap quoc tich")
    assert "dang ky ket hon" in vi("toi muon lay vo nguoi cung xa")
    assert "ghi vao so ho tich" in en("married korean husband seoul marriage recorded vietnam")
    assert "ghi vao so ho tich" not in en("weren t married father recognised")
    # A will still to be made is certified; no inheritance is registered yet.
    will = vi("ba noi toi muon lap di chuc chia dat cho cac con")
    assert "chung thuc di chuc" in will and "thua ke" not in will
    assert "thua ke" in vi("bo toi mat de lai manh dat chia dat cho cac con")
    # A birth registered with only the mother's name is not to be registered again, though the
    # parents were not married ("chưa đăng ký kết hôn" is not "chưa đăng ký khai sinh").
    blank = vi("chua dang ky ket hon nen luc lam khai sinh chi co ten me")
    assert "khai sinh" not in blank
    assert "khai sinh" in vi("be chua dang ky khai sinh chi co ten me")
    # English: a marriage told before a residence or birth question is background; a death
    # "at home" leaves no house to inherit.
    assert "ket hon" not in en(
        "married vietnamese citizen 5 years trc eligible permanent residence"
    )
    assert "ket hon" in en("married vietnamese girlfriend register marriage")
    assert "thua ke" not in en("dad passed away home morning register death")
    assert "thua ke" in en("dad passed away left house")
    # A household business closed for good ends; a birth after a foreign marriage is the birth.
    assert "cham dut hoat dong" in vi("quan an thua lo muon dong han ho kinh doanh")
    assert "ket hon" not in vi("lay chong nguoi phap be vua sinh muon lam giay khai sinh")
    # A land dispute mediated without success is settled by the commune chairman.
    assert "giai quyet tranh chap dat dai" in vi("hoa giai o xa khong thanh tranh chap dat")
    assert "giai quyet tranh chap" not in vi("muon hoa giai tranh chap dat voi hang xom")
    # A car brought home from abroad is imported, not for trade.
    assert "nhap khau xe o to" in en("overseas vietnamese returning bring car canada")
    assert "nhap khau xe o to" in vi("viet kieu hoi huong muon mang o to ve")
    assert "nhap khau" not in vi("hoi huong ve que song")
    # An heir who gives up a share renounces it; the others' registration is not asked.
    gives_up = vi("em khong muon nhan phan dat bo me de lai de cac anh dung ten")
    assert "tu choi nhan di san" in gives_up and "bien dong" not in gives_up
    # English: a lost checked bag, a pensioner's lump sum, nationality wanted back.
    assert "hanh ly ky gui" in en("airline lost checked bag")
    assert "dinh cu" in en("pension moving australia lump sum")
    assert "tro lai quoc tich" in en("gave nationality want back")


def test_a_mortgage_on_a_mistyped_land_title_is_released_as_land() -> None:
    # "xổ hồng" is "sổ hồng", not "xổ" + "hông" (không).
    index = SearchIndex.build(
        [
            SearchDoc("1.011437", "Xóa đăng ký biện pháp bảo đảm bằng động sản"),
            SearchDoc(
                "1.011443",
                "Xóa đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất",
            ),
        ]
    )
    query = "t chả hết nợ ngân hàng r, giờ mún xóa thế chấp trên xổ hồng thì lm sao"
    assert index.search(query)[0].code == "1.011443"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # The card expires at 25: an exchange, not a first card "from 14 years old".
        ("cccd cua e het han nam 25 tuoi r, gio di doi co can mang theo j ko", "1.014063"),
        ("My father, a Dutch citizen, passed away in Nha Trang. Where do we register", "1.001766"),
        ("My grandmother is bedridden. Can I collect her pension on her behalf?", "1.001601"),
    ],
)
def test_tenth_round_on_the_bundled_catalogue(bundled: SearchIndex, query: str, code: str) -> None:
    assert bundled.search(query)[0].code == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # A syllable no word can be is repaired by what fits its neighbours: a swapped letter
        # ("thcu thực", not "thư"), a dropped "h" or "n" ("kai tử", "đăg ký").
        ("chung thcu chu ky mat bao nhieu", "2.000884"),
        ("dang ky gima ho can nhung gi", "1.004837"),
        ("chong co dc huong tahi san ko", "2.000693"),
        ("kai tu cho ong noi", "1.000656"),
        ("đăg ký thường chú cho con 2 tuổi vào nhà ông bà nội", "1.004222"),
        # "anh em còn lại" typed without marks: the remaining siblings, no mixed-race child.
        (
            "em trai toi bi benh tam than tu nho. Bo me toi deu da mat, anh em con lai chi co "
            "minh toi o gan. Nay toi muon dung ra lam nguoi giam ho cho em thi dang ky o dau",
            "1.004837",
        ),
        # A mezzanine and a raised floor are a renovation.
        ("Tui muốn nâng nền với làm thêm gác lửng cho căn nhà mặt tiền đang ở.", "1.013229"),
        # An English "married to" is the background.
        (
            "I'm American, married to a Vietnamese woman in Vũng Tàu. Can I register a household "
            "business in my own name for our small bakery?",
            "1.001612",
        ),
        # A passport alone, or its fee, asks for one; reporting a loss waits for a loss.
        ("hộ chiếu", "1.001456"),
        ("le phi ho chieu", "1.001456"),
        ("mất hộ chiếu", "1.010386"),  # the commune-level copy in the bundled catalogue
        # "Đăng ký kết hôn" abbreviated; "nộp ở đâu" asks where, it names nothing.
        ("Thủ tục ghi chú kết hôn, đã ĐKKH bên Nhật giờ về VN", "2.002189"),
        ("ĐK HKD nộp ở đâu", "1.001612"),
        # A pension collected for a bedridden parent.
        (
            "My mother-in-law gets a monthly pension but she is bedridden now. How do we set up "
            "an authorization so I can collect it for her?",
            "1.001601",
        ),
        # Typed with its marks, "bạn gái" is not "bán giá".
        ("Giờ cưới bạn gái quê Đồng Nai thì tôi cần làm thủ tục gì?", "1.000894"),
        # "mất tình làng nghĩa xóm" loses no title and inherits nothing.
        (
            "Nhà bên cạnh xây tường rào lấn qua đất nhà tui gần nửa mét, tui có sổ đỏ đàng "
            "hoàng. Tui không muốn kiện ra tòa cho mất tình làng nghĩa xóm, chỉ muốn nhờ chính "
            "quyền đứng ra phân xử",
            "1.012812",
        ),
    ],
)
def test_eleventh_round_on_the_bundled_catalogue(
    bundled: SearchIndex, query: str, code: str
) -> None:
    assert bundled.search(query)[0].code == code


@pytest.fixture(scope="module")
def national() -> SearchIndex:
    """The national catalogue (skips when ../shared is absent): twins only it holds together."""
    if not CATALOGUE.exists():
        pytest.skip(f"national catalogue not available at {SHARED}")
    with gzip.open(CATALOGUE, "rt", encoding="utf-8") as fh:
        return SearchIndex.build(search_docs(json.loads(line) for line in fh))


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # A foreign country is in every nationality story: filed at home unless they live abroad.
        (
            "Tôi là Việt kiều Pháp, đã thôi quốc tịch Việt Nam năm 1995. Giờ về hưu, muốn về sống "
            "hẳn ở Vũng Tàu, nên muốn xin lại quốc tịch Việt Nam. Hồ sơ nộp ở đâu?",
            "2.002038",
        ),
        ("Em đã nhập quốc tịch Úc, giờ muốn xin thôi quốc tịch VN, em đang ở Úc", "1.005141"),
        ("Con gái lấy chồng Hàn muốn thôi quốc tịch VN để nhập quốc tịch bên đó", "2.002036"),
        # "Xin lại" is regaining, whatever the story gave up.
        (
            "hoi truoc toi thoi quoc tich VN de nhap quoc tich Duc, gio muon xin lai quoc tich VN",
            "2.002038",
        ),
        (
            "I am now an Australian citizen living in Melbourne. How do I get my Vietnamese "
            "nationality back?",
            "1.004757",
        ),
    ],
)
def test_nationality_filed_at_home_unless_the_citizen_lives_abroad(
    national: SearchIndex, query: str, code: str
) -> None:
    assert national.search(query)[0].code == code


def test_english_questions_of_price_and_slips_are_understood(national: SearchIndex) -> None:
    # "cost" asks the fee (the aspect), it is no word of a procedure; "pasport" is a slip.
    hits = national.search("How much does a pasport cost for my 10-year-old son?")
    assert "1.001456" in [h.code for h in hits[:3]]
    car = national.search("Can I drive my Thai-registered car into Vietnam for a road trip?")
    assert car[0].code == "1.009093"


def test_a_phrase_does_not_span_a_comma(national: SearchIndex) -> None:
    # "mất, sổ đỏ" is a death and then a title, not "mất sổ đỏ" (a lost title).
    died = "Mẹ tôi mới mất, sổ đỏ đứng tên mẹ, mấy anh em muốn sang tên thừa kế thì làm sao?"
    assert national.search(died)[0].code == "1.013831"
    assert national.search("tôi bị mất sổ đỏ, xin cấp lại")[0].code == "1.012786"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # The official name says "phục hồi điểm giấy phép lái xe"; citizens say "bị trừ hết điểm".
        (
            "Bằng lái ô tô của em bị trừ hết điểm do vi phạm nhiều lần, nghe nói phải thi lại lý "
            "thuyết để được phục hồi điểm, đăng ký ở đâu",
            "1.013211",
        ),
        (
            "Công ty nhỏ của tôi mở từ năm 2020, mấy năm nay không hoạt động, không còn nhân viên, "
            "giờ tôi muốn giải thể hẳn công ty thì làm những gì",
            "2.002023",
        ),
    ],
)
def test_a_story_is_matched_by_the_words_citizens_use(
    national: SearchIndex, query: str, code: str
) -> None:
    assert national.search(query)[0].code == code


_TWINS = [
    SearchDoc(
        "3.000330",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam mà không xác định được nơi thường trú "
        "hoặc nơi tạm trú; người nước ngoài đã cư trú tại Việt Nam",
    ),
    SearchDoc(
        "3.000333",
        "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt "
        "Nam, người Việt Nam đang cư trú ở nước ngoài",
    ),
    SearchDoc(
        "1.012787",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất "
        "cho người nhận chuyển nhượng quyền sử dụng đất, quyền sở hữu nhà ở, công trình xây dựng "
        "trong dự án bất động sản",
    ),
    SearchDoc(
        "1.013831",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các "
        "trường hợp chuyển nhượng, thừa kế, tặng cho quyền sử dụng đất, quyền sở hữu tài sản gắn "
        "liền với đất",
    ),
    SearchDoc(
        "2.002011",
        "Đăng ký thay đổi thành viên hợp danh; đăng ký thay đổi người đại diện theo pháp luật của "
        "công ty trách nhiệm hữu hạn, công ty cổ phần",
    ),
    SearchDoc(
        "1.002055",
        "Thay đổi người đại diện theo pháp luật của Văn phòng luật sư, công ty luật trách nhiệm "
        "hữu hạn một thành viên",
    ),
    SearchDoc("1.000689", "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con"),
    SearchDoc(
        "1.001695",
        "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con có yếu tố nước ngoài",
    ),
    SearchDoc("2.000779", "Thủ tục đăng ký nhận cha, mẹ, con có yếu tố nước ngoài"),
    SearchDoc("2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"),
    SearchDoc(
        "2.000748",
        "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc có yếu tố "
        "nước ngoài",
    ),
]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # Twins by one word ("đã" / "đang cư trú"): who has left Vietnam, who lives here.
        (
            "I taught in Vietnam for two years and moved back home. How do I get a police "
            "clearance?",
            "3.000330",
        ),
        ("I need a criminal record certificate, applying from abroad", "3.000330"),
        ("I live in Hanoi and need a criminal record certificate", "3.000333"),
        ("I need a criminal record certificate for my study abroad application", "3.000333"),
        # Land bought from a neighbour is a transfer; a flat from a developer has its own title.
        ("mua đất của hàng xóm, hợp đồng công chứng xong, giờ sang tên sổ đỏ", "1.013831"),
        ("mua căn hộ chung cư của chủ đầu tư trong dự án, giờ làm sổ hồng", "1.012787"),
        # A company's legal representative; a law office's only when a lawyer is named.
        ("đổi người đại diện theo pháp luật công ty tnhh", "2.002011"),
        ("văn phòng luật sư thay đổi người đại diện theo pháp luật", "1.002055"),
        # A foreign father recognising a child whose birth was registered years ago; a
        # certificate to correct; a newborn's birth and recognition together.
        (
            "I'm Canadian. Our daughter was born here two years ago and her birth certificate has "
            "no father's name. How can I be legally recognised as her father?",
            "2.000779",
        ),
        ("Our son was born in Hue and his birth certificate misspells my surname", "2.000748"),
    ],
)
def test_twins_told_apart_by_what_the_message_says(query: str, code: str) -> None:
    assert SearchIndex.build(_TWINS).search(query)[0].code == code


def test_a_newborn_to_register_keeps_birth_and_recognition_together() -> None:
    """The drops for a birth registered already must not fire on a birth still to register."""
    query = (
        "We are not married and our baby was just born. How do I register the birth and be "
        "recognised as the father?"
    )
    assert SearchIndex.build(_TWINS).search(query)[0].code in {"1.000689", "1.001695"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # A dead pensioner's arrears are drawn by the heirs; animals sold in another province
        # leave it.
        (
            "Ông nội tui mất tháng 5, còn 2 tháng lương hưu chưa lãnh, con cháu muốn lãnh thay.",
            "2.000717",
        ),
        (
            "Tui chở 300 con vịt từ Đồng Tháp lên Bình Dương bán, có cần giấy kiểm dịch không",
            "1.002338",
        ),
        # Foreign tenants named by nationality are declared as foreigners.
        (
            "Nhà tui ở Hội An cho hai vợ chồng người Pháp thuê phòng ở 1 tháng, nghe nói phải "
            "khai báo tạm trú cho họ.",
            "1.000253",
        ),
        # A one-off invoice for someone without a business (three writers ask it so).
        (
            "Tui bán 5 tấn lúa cho công ty, họ đòi hóa đơn mà tui là nông dân hông có đăng ký kinh "
            "doanh. Xin hóa đơn lẻ ở dâu?",
            "1.010339",
        ),
        ("tien bi chay mot goc mang di doi o ngan hang nha nuoc can giay to gi", "2.001077"),
        ("xin giấy thông hành đi du lịch Đông Hưng TQ, ko có hộ chiếu thì có đc ko ạ", "1.003494"),
        # English: tax cleared before leaving, a year's settlement, a birth abroad recorded, and
        # a criminal record for a job abroad by someone who lives here.
        (
            "I'm leaving Vietnam for good and need a tax office confirmation that I've paid all "
            "my taxes.",
            "1.008591",
        ),
        (
            "I'm a Japanese engineer working in Bình Dương. I left my company in October, so I "
            "need to do my personal income tax finalization myself.",
            "2.002233",
        ),
        (
            "My baby was born in Germany and has a German birth certificate. I'm Vietnamese. How "
            "do I get the birth recorded in Vietnam when we move back to Đà Nẵng?",
            "2.000547",
        ),
        (
            "I'm an English teacher from the UK and have lived in Đà Nẵng for 3 years. I need a "
            "Vietnamese criminal record certificate for a new job abroad. Where do I apply?",
            "3.000333",
        ),
        # The commune's copy when the commune's office is named; a household business pausing
        # asks the business registry, not the tax registration; an orphan's guardian.
        (
            "toi muon khieu nai quyet dinh xu phat cua cong an xa vi phat sai, nop don o dau",
            "1.004335",
        ),
        ("tạm nghưng kinh doanh hộ cá thể phải báo trước mấy ngày", "1.001570"),
        (
            "bố mẹ cháu mất trong vụ tai nạn giao thông tháng trước, cháu mới 10 tuổi, tôi là bác "
            "ruột hiện nuôi cháu, muốn đứng ra làm người giám hộ hợp pháp để lo giấy tờ cho cháu",
            "1.004837",
        ),
        ("cháu tôi đủ 18 tuổi rồi, tôi muốn thôi làm người dám hộ của cháu", "1.004845"),
        # Land bought on a handwritten paper from a seller who had the certificate and is gone.
        (
            "Năm 2015 tôi mua đất bằng giấy ta, người bán có sổ rồi nhưng chưa sang tên cho tôi. "
            "Giờ người bán đi đâu mất liên lạc. Tôi có làm sổ đứng tên mình được không?",
            "1.012785",
        ),
        # A fishing boat just built is registered, not approved for building.
        ("tau ca moi dong 15m can dang ky o dau z", "1.003650"),
        # Garden land made residential needs a permit: not the exception without one.
        (
            "Toi co 200m2 dat vuon trong cay lau nam lien ke nha, muon len tho cu de xay nha cho "
            "con. Phai nop ho so xin o dau?",
            "1.013949",
        ),
        # Hurt at work, told by the injury: a work accident, not sickness or survivors' benefits.
        (
            "Anh trai tôi làm công nhân xây dựng, tuần trước bị ngã từ giàn giáo xuống gãy chân "
            "phải mổ, công ty có đóng bảo hiểm đầy đủ. Giờ muốn làm hồ sơ để anh ấy được hưởng chế "
            "độ thì cần chuẩn bị những giấy tờ gì?",
            "1.001632",
        ),
        # A military licence exchanged; a birth certificate abbreviated (its copy, or its blank
        # father's part); a border pass for someone without a passport.
        ("Tôi xuất ngũ rồi, có bằng lái quân sự hạng C, giờ muốn đổi sang bằng dân sự", "3.000349"),
        ("mất GKS bản gốc r, giờ xin bản sao thì lm sao ak", "2.000635"),
        (
            "bố mẹ e hồi đó chưa cưới nên GKS e để trống tên bố, h bố e mún nhận e là con thì lm "
            "thủ tục j ạ",
            "1.001022",
        ),
        # English: a residence card held is the story of another request.
        (
            "I bought a brand-new Honda scooter. Can I register it in my own name as a foreigner "
            "with a TRC?",
            "1.013067",
        ),
        (
            "I've lived in Vietnam for 5 years with a temporary residence card and I'm married to "
            "a Vietnamese citizen. I'd like to apply for a permanent residence card.",
            "1.001010",
        ),
        # English: a new visa without leaving; a foreigner's home ownership extended.
        (
            "My business visa is about to expire. Can my company sponsor a new visa for me "
            "without me leaving Vietnam?",
            "1.001194",
        ),
        (
            "I bought an apartment in HCMC as a foreigner, the ownership term is 50 years. Can it "
            "be extended later?",
            "1.012890",
        ),
        # Fifteenth round: a past resident's record asked from abroad, a foreign birth or divorce
        # recorded, a guest declared online, a company founded long ago dissolved, an old
        # identity number, the mid-year review of the poor, a father recognised.
        (
            "I worked in Vietnam from 2016 to 2021 and now I'm back in Canada. The Canadian "
            "immigration wants a police certificate from Vietnam. How can I request one?",
            "3.000330",
        ),
        (
            "I'm a Vietnamese citizen living in Germany. I got divorced there in 2022 and now I "
            "want to remarry in Vietnam. How do I get the foreign divorce recorded?",
            "2.000554",
        ),
        (
            "I rent out two rooms on Airbnb in Hoi An and most of my guests are foreigners. Can I "
            "declare their temporary residence online instead of going to the police every time?",
            "1.001437",
        ),
        (
            "Công ty TNHH một thành viên của tôi thành lập năm 2019, ba năm nay hầu như không có "
            "hợp đồng. Giờ tôi muốn đóng cửa hẳn công ty. Các bước giải thể doanh nghiệp như thế "
            "nào?",
            "2.002023",
        ),
        (
            "Sổ đỏ nhà tôi ghi số chứng minh nhân dân 9 số cũ, giờ tôi dùng căn cước 12 số. Văn "
            "phòng công chứng yêu cầu giấy xác nhận hai số này là của cùng một người.",
            "1.012566",
        ),
        (
            "Hoàn cảnh khó khăn quá, giữa năm có được đề nghị công nhận hộ nghèo không hay phải "
            "đợi đến cuối năm?",
            "1.011607",
        ),
        ("bố mẹ e ko đki kết hôn, giờ bố mún làm thủ tục nhận e là con", "1.001022"),
        ("MST cá nhân bị đóng do ko dùng lâu năm, mở lại dc k", "1.008510"),
        # Sixteenth round: a household business's tax declaration; an English tax resident
        # settling the year; a sister's guardian after the parents died.
        ("hộ kinh doanh bán tạp hóa khai thuế thế nào", "1.011022"),
        # Mediation that failed goes to the commune chairman: no card for mediation again.
        (
            "Hoa giai tranh chap dat o xa khong thanh, gio nop don len chu tich xa thi bao lau co "
            "quyet dinh?",
            "1.013967",
        ),
        (
            "I worked for two companies in Vietnam last year as a tax resident. How do I do my "
            "personal income tax finalization by myself?",
            "2.002233",
        ),
        # A wall pushed back by a neighbour who rebuilds: mediation, not a building permit.
        (
            "Năm nay nhà bên xây lại nhà, họ đòi lùi tường sang phía nhà tôi nửa mét vì cho rằng "
            "đất họ bị thiếu. Tôi không muốn kiện ra tòa, có thể nhờ xã hòa giải trước được không?",
            "1.012812",
        ),
        # A house or a plot sold, and its income tax (four writers ask it so).
        (
            "bán căn nhà duy nhất mình ở, muốn xin miễn thuế TNCN thì chuẩn bị hồ sơ ra sao",
            "1.007674",
        ),
        (
            "Em bán miếng đất ở quê, người mua hỏi thuế thu nhập cá nhân ai đóng, đóng bao nhiêu "
            "phần trăm, khai ở đâu",
            "1.007674",
        ),
        # A marriage of many years is the background; a passport not found again is lost.
        (
            "Hai vợ chồng tui cưới nhau mười mấy năm mà hiếm muộn, chạy chữa đủ nơi không được. "
            "Đứa cháu bên ngoại 3 tuổi, ba má nó mất trong vụ lật ghe năm ngoái, giờ ông bà ngoại "
            "già yếu nuôi không nổi. Vậy có đủ điều kiện nhận nó làm con nuôi không?",
            "2.001263",
        ),
        (
            "Tôi đánh rơi hộ chiếu lúc đi chợ, chắc không tìm lại được. Trình báo mất hộ chiếu "
            "gồm những bước nào?",
            "1.001445",
        ),
    ],
)
def test_eleventh_round_on_the_national_catalogue(
    national: SearchIndex, query: str, code: str
) -> None:
    assert national.search(query)[0].code == code
