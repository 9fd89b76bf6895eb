# Tin nhắn không phải câu hỏi thủ tục: cảm ơn, lời nặng lời, yêu cầu đổi vai, giờ làm việc, địa chỉ, đường dây nóng (handlers/smalltalk.py).

small-thanks = Không có gì ạ! Khi cần tra cứu thủ tục hay xem hồ sơ, bạn cứ nhắn cho tôi nhé.
small-ack = Dạ vâng. Khi cần tra cứu thủ tục hay xem hồ sơ, bạn cứ nhắn cho tôi nhé.
small-no-words = Bạn muốn hỏi gì ạ? Bạn nhắn vài chữ về việc cần làm, ví dụ "làm căn cước cho con", hoặc chọn trong menu nhé.
small-insult = Xin lỗi vì tôi chưa giúp được bạn như mong muốn. Bạn cho tôi biết việc cần làm (ví dụ "đổi bằng lái", "làm căn cước cho con") hoặc bấm "Gặp cán bộ" để hỏi trực tiếp nhé.
small-instruction =
    Tôi là trợ lý một cửa và chỉ làm được những việc sau: tra cứu thủ tục hành chính, xem tình trạng hồ sơ, đăng ký nhận kết quả qua bưu điện và chuyển câu hỏi cho cán bộ.
    Tôi không thay đổi vai trò hay cách làm việc theo tin nhắn. Bạn chọn một mục bên dưới nhé.
small-hours = Giờ làm việc của bộ phận một cửa: { $hours }, thứ Hai đến thứ Sáu (trừ ngày nghỉ lễ).
small-open-now = Bây giờ đang trong giờ làm việc, đến { $until }.
small-closed-now = Bây giờ đang ngoài giờ làm việc; bộ phận một cửa mở lại lúc { $time } ngày { $date }.
small-hotline = Đường dây nóng: { $hotline }.
small-hotline-none = Hiện chưa có số đường dây nóng. Bạn bấm "Gặp cán bộ" để nhắn câu hỏi cho cán bộ nhé.
small-address = Hồ sơ nộp tại bộ phận một cửa của cơ quan giải quyết thủ tục: cấp xã ở UBND xã/phường nơi bạn cư trú, cấp tỉnh ở Trung tâm Phục vụ hành chính công của tỉnh. Bạn gõ tên thủ tục để biết nơi nộp của thủ tục đó.

# Hồ sơ tỉnh/thành phố (bot/province.py): nơi nộp, giờ mở cửa, đường dây nóng.
province-hours = Giờ làm việc của { $name }: { $hours } (trừ ngày nghỉ lễ, Tết).
province-open-now = Bây giờ đang trong giờ làm việc, đến { $until }.
province-closed-now = Bây giờ đang ngoài giờ làm việc.
province-closed-break = Bây giờ là giờ nghỉ trưa.
province-closed-weekend = Hôm nay là { $day }, không làm việc.
province-closed-holiday = Hôm nay là ngày nghỉ lễ ({ $name }), không làm việc.
province-closed-day-off = Hôm nay là ngày nghỉ, không làm việc.
province-opens = Mở cửa lại lúc { $when }.
province-when = { $time } { $day }, ngày { $date }
province-office-at = { $name } (địa chỉ: { $address })
province-desk-commune = Trung tâm Phục vụ hành chính công (Bộ phận Một cửa) của xã, phường, đặc khu giải quyết thủ tục, thường là nơi bạn cư trú
province-desk-either = { $commune }; hoặc { $centre }
province-where-intro = Nơi nộp hồ sơ trực tiếp tùy thủ tục:
province-where-commune = Thủ tục cấp xã: { $desk }.
province-where-centre = Thủ tục cấp thành phố, cấp tỉnh: { $centre }.
province-where-desks = Có địa chỉ trung tâm cấp xã của: { $desks }. Bạn gõ tên phường, xã (ví dụ "một cửa phường Lê Chân ở đâu") để xem.
province-where-online = Nhiều thủ tục nộp được trực tuyến trên Cổng Dịch vụ công quốc gia. Gõ tên thủ tục để biết nơi nộp của thủ tục đó.
