# Tra cứu thủ tục hành chính.

proc-prompt = Bạn gõ tên hoặc mô tả thủ tục cần làm, ví dụ: "đăng ký khai sinh", "đổi bằng lái", "lam so do".
proc-did-you-mean = Tôi chưa chắc bạn hỏi thủ tục nào. Có phải một trong các thủ tục sau?
proc-btn-none = Không phải các thủ tục trên
proc-not-found =
    Tôi chưa tìm thấy thủ tục phù hợp. Bạn thử:
    • gõ ngắn gọn việc cần làm, ví dụ "đăng ký tạm trú", "cấp lại căn cước";
    • dùng từ thông dụng, ví dụ "sổ đỏ", "bằng lái", "giấy độc thân";
    • hoặc hỏi trực tiếp bộ phận một cửa nơi bạn ở.
proc-gone = Thủ tục này không còn trong danh mục. Bạn thử tìm lại nhé.
proc-personal-data = Để bảo vệ bạn, xin đừng gửi số điện thoại, số căn cước hay thông tin cá nhân khác vào đây. Khi cần xác minh, tôi sẽ chỉ hỏi 4 số cuối. Bạn gõ tên thủ tục hoặc mã hồ sơ nhé.

proc-where = Nơi giải quyết: { $levels } — { $agency }
proc-where-levels = Nơi giải quyết: { $levels }
proc-level-bo = cấp bộ
proc-level-tinh = cấp tỉnh
proc-level-xa = cấp xã
proc-methods-title = Cách nộp, thời hạn và phí:
proc-method-line = • { $channel }: { $time } · { $fee }
proc-channel-truc_tiep = Trực tiếp
proc-channel-truc_tuyen = Trực tuyến
proc-channel-buu_chinh = Qua bưu chính
proc-unit-ngay_lam_viec = { $n } ngày làm việc
proc-unit-ngay = { $n } ngày
proc-unit-gio = { $n } giờ
proc-unit-thang = { $n } tháng
proc-unit-nam = { $n } năm
proc-unknown = chưa có thông tin
proc-fee-free = miễn phí
proc-fee-unstated = phí chưa công bố
proc-docs-title = Giấy tờ cần nộp ({ $count }):
proc-docs-more = … và { $count } giấy tờ khác (bấm "Giấy tờ đầy đủ").
proc-doc-counts = { $original } bản chính, { $copy } bản sao
proc-result = Kết quả: { $result }
proc-online-toan_trinh = Nộp trực tuyến: toàn trình (nộp, trả phí và nhận kết quả trực tuyến).
proc-online-mot_phan = Nộp trực tuyến: một phần (nộp hồ sơ trực tuyến, nhận kết quả tại nơi giải quyết).
proc-online-unstated = Có thể nộp trực tuyến trên Cổng Dịch vụ công (mức độ trực tuyến chưa công bố).
proc-online-none = Thủ tục này chưa nộp trực tuyến được.
proc-link = Chi tiết trên Cổng Dịch vụ công quốc gia: { $url }
proc-steps-title = Các bước thực hiện
proc-legal-title = Căn cứ pháp lý
proc-section-empty = Chưa có thông tin cho mục này.
proc-btn-docs = 📋 Giấy tờ đầy đủ
proc-btn-steps = 🪜 Các bước
proc-btn-legal = ⚖️ Căn cứ pháp lý
proc-btn-back-card = ↩ Quay lại thủ tục
proc-feedback-thanks = Cảm ơn bạn đã đánh giá!
proc-feedback-sorry = Cảm ơn bạn. Tôi sẽ ghi nhận để trả lời tốt hơn. Bạn thử diễn đạt cách khác hoặc hỏi bộ phận một cửa nhé.
