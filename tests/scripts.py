"""Conversation scripts run unchanged on every channel (collecting, console, Telegram, …).

A step is ``(user input, substrings every one of which the bot's replies must contain)``.
``"press:N"`` presses the N-th button of the previous turn, numbered across the turn's replies
(the console shows the same numbers). Expectations are in Vietnamese, the default language.
"""

from __future__ import annotations

Step = tuple[str, list[str]]

DEMO_CODE = "000.00.00.H31-250714-0001"

SCRIPTS: dict[str, list[Step]] = {
    "start_and_cancel": [
        ("/start", ["Xin chào", "tra cứu thủ tục"]),
        ("/cancel", ["không có việc gì"]),
        ("/khongcolenhnay", ["chưa hiểu lệnh"]),
    ],
    "language": [
        ("/start", ["Xin chào"]),
        ("press:4", ["Choose your language"]),
        ("press:2", ["Switched to English"]),
        ("/help", ["How to use me"]),
        ("/lang vi", ["Tiếng Việt"]),
    ],
    "procedure_question": [
        ("lam giay khai sinh cho con", ["khai sinh", "1.001193"]),
        ("press:1", ["Giấy tờ cần nộp"]),
    ],
    "did_you_mean": [
        ("lái xe", ["Có phải"]),
        ("press:1", ["lái xe"]),
    ],
    "not_found": [
        ("xyzzy qwerty plugh", ["chưa tìm thấy"]),
    ],
    "dossier_status": [
        ("/start", ["Xin chào"]),
        ("press:2", ["mã hồ sơ"]),
        (DEMO_CODE, ["250714-0001"]),
    ],
    "language_follows": [
        (
            "how do I register the birth of my baby",
            ["I'll answer in English", "Birth registration"],
        ),
        ("ok", ["All right"]),
        ("làm căn cước cho con ở đâu", ["tiếng Việt", "Nơi nộp hồ sơ"]),
        ("/lang en", ["English"]),
        ("đổi bằng lái", ["Driving licence"]),
    ],
    "bad_input": [
        ("😀😀😀", ["nhắn vài chữ"]),
        ("'; DROP TABLE dossiers; --", ["chưa tìm thấy"]),
    ],
    "postal": [
        ("/buudien", ["hồ sơ nào"]),
        ("mã của tôi là abc", ["chưa thấy mã hồ sơ"]),
        ("press:1", ["Đã hủy"]),
        ("gửi kết quả về nhà giúp tôi", ["hồ sơ nào"]),
        (DEMO_CODE, ["4 số cuối"]),
        ("0001", ["Đã xác minh", "1/6"]),
        ("press:1", ["2/6"]),
        ("12345", ["Số điện thoại chưa đúng"]),
        ("0912 345 678", ["3/6"]),
        ("Số 5 Lê Lợi", ["4/6"]),
        ("phuong Le Chan, Hai Phong", ["5/6"]),
        ("press:2", ["4/6"]),
        ("/huy", ["Đã hủy"]),
    ],
}
