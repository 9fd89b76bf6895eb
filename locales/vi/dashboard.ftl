# Bảng số liệu cho cán bộ vận hành.
dash-title = Số liệu theo đơn vị tiếp nhận
dash-col-code = Mã đơn vị
dash-col-unit = Đơn vị
dash-col-dossiers = Hồ sơ
dash-col-online = Nộp trực tuyến
dash-col-postal = Bưu chính
dash-col-on-time = Đúng hạn
dash-col-late = Đang trễ hạn
dash-feedback = Câu trả lời được đánh giá: { $rated }, trong đó hữu ích: { $helpful }.
