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
proc-desk = Nộp tại: { $desk }
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
proc-fee-by-case = tùy trường hợp (xem ⚖️ Căn cứ pháp lý)
proc-time-by-case = tùy trường hợp
proc-docs-title = Giấy tờ cần nộp ({ $count }):
proc-doc-counts = { $original } bản chính, { $copy } bản sao
proc-result = Kết quả: { $result }
proc-online-toan_trinh = Nộp trực tuyến: toàn trình (nộp, trả phí và nhận kết quả trực tuyến).
proc-online-mot_phan = Nộp trực tuyến: một phần (nộp hồ sơ trực tuyến, nhận kết quả tại nơi giải quyết).
proc-online-unstated = Có thể nộp trực tuyến trên Cổng Dịch vụ công.
proc-online-none = Thủ tục này chưa nộp trực tuyến được.
proc-link = Chi tiết trên Cổng Dịch vụ công quốc gia: { $url }
# Ngày đối chiếu nội dung thủ tục với Cổng Dịch vụ công quốc gia (mục đã kiểm tra thủ công).
proc-checked = Thông tin cập nhật ngày { $day ->
    [1] 01
    [2] 02
    [3] 03
    [4] 04
    [5] 05
    [6] 06
    [7] 07
    [8] 08
    [9] 09
   *[other] { $day }
}/{ $month ->
    [1] 01
    [2] 02
    [3] 03
    [4] 04
    [5] 05
    [6] 06
    [7] 07
    [8] 08
    [9] 09
   *[other] { $month }
}/{ $year }
proc-steps-title = Các bước thực hiện
proc-steps-in-vietnamese = Các bước dưới đây giữ nguyên tiếng Việt như danh mục công bố.
proc-legal-title = Căn cứ pháp lý
proc-section-empty = Chưa có thông tin cho mục này.
proc-btn-docs = 📋 Giấy tờ đầy đủ
proc-btn-steps = 🪜 Các bước
proc-btn-legal = ⚖️ Căn cứ pháp lý
proc-btn-back-card = ↩ Quay lại thủ tục
proc-feedback-thanks = Cảm ơn bạn đã đánh giá!
proc-feedback-sorry = Cảm ơn bạn. Tôi sẽ ghi nhận để trả lời tốt hơn. Bạn thử diễn đạt cách khác hoặc hỏi bộ phận một cửa nhé.

# Thẻ thủ tục gọn trên điện thoại: chi tiết nằm sau các nút.
proc-card-figure = { $time } · { $fee }
proc-card-method = • { $channels }: { $figure }
proc-docs-count = Giấy tờ cần nộp: { $count } loại (bấm "📋 Giấy tờ đầy đủ" để xem).
proc-btn-methods = 💰 Phí, thời hạn
proc-methods-page-title = Cách nộp, thời hạn và phí

# Trả lời trước đúng điều người dân hỏi (lệ phí, thời hạn, giấy tờ, nơi nộp…).
proc-via-truc_tuyen = nộp trực tuyến
proc-via-truc_tiep = nộp trực tiếp
proc-via-buu_chinh = gửi qua bưu chính
proc-or = hoặc
proc-ans-fee = Lệ phí khi { $channels }: { $value }
proc-ans-fee-all = Lệ phí: { $value } (như nhau với mọi cách nộp).
proc-ans-fee-unstated = Danh mục chưa công bố lệ phí của thủ tục này. Bạn hỏi bộ phận một cửa nơi nộp hồ sơ nhé.
proc-ans-time = Thời hạn giải quyết khi { $channels }: { $value }
proc-ans-time-all = Thời hạn giải quyết: { $value } (như nhau với mọi cách nộp).
proc-ans-time-unstated = Danh mục chưa công bố thời hạn giải quyết của thủ tục này.
proc-ans-docs = Hồ sơ gồm { $count } loại giấy tờ, trước hết là:
proc-ans-docs-unstated = Danh mục chưa công bố thành phần hồ sơ của thủ tục này.
proc-ans-where-agency = Nơi nộp hồ sơ: { $agency }.
proc-ans-where-levels = Nộp hồ sơ tại bộ phận một cửa { $levels } nơi bạn cư trú.
proc-ans-where-also = Bạn cũng có thể { $channels }.
proc-ans-where-unstated = Danh mục chưa công bố nơi tiếp nhận hồ sơ của thủ tục này.
proc-ans-channels = Thủ tục này có thể { $channels }.
proc-ans-online-unstated = Danh mục chưa công bố cách nộp hồ sơ của thủ tục này.
proc-ans-result = Kết quả bạn nhận được: { $result }
proc-ans-result-unstated = Danh mục chưa công bố kết quả của thủ tục này.
proc-ans-subjects = Đối tượng thực hiện: { $subjects }
proc-ans-conditions = Điều kiện: { $conditions }
proc-ans-eligibility-unstated = Danh mục chưa công bố đối tượng và điều kiện của thủ tục này.
proc-ans-steps = Thủ tục gồm { $count } bước, bắt đầu:
proc-ans-steps-unstated = Danh mục chưa công bố các bước thực hiện thủ tục này.
