# Tin nhắn không phải câu hỏi thủ tục: cảm ơn, lời nặng lời, yêu cầu đổi vai, giờ làm việc, địa chỉ, đường dây nóng (handlers/smalltalk.py).

small-thanks = Không có gì ạ! Khi cần tra cứu thủ tục hay xem hồ sơ, bạn cứ nhắn cho tôi nhé.
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
