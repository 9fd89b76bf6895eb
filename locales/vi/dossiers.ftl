# Tra cứu tình trạng hồ sơ theo mã, xác minh chủ hồ sơ, theo dõi và thông báo.

ds-prompt =
    Bạn gõ mã hồ sơ in trên giấy tiếp nhận và hẹn trả kết quả, ví dụ: 000.00.00.H31-250714-0001
    (viết thường hay có dấu cách đều được).
ds-not-a-code =
    Đây chưa phải mã hồ sơ. Mã hồ sơ có dạng <mã cơ quan>-<ngày nhận YYMMDD>-<số thứ tự>, ví dụ 000.00.00.H31-250714-0001; bạn xem ở góc trên giấy tiếp nhận.
    Muốn hỏi việc khác thì bấm "Thôi, hỏi việc khác".
ds-btn-leave = ✖ Thôi, hỏi việc khác
ds-btn-menu = ↩ Về menu chính

# Mã viết sai: giải thích cụ thể phần nào sai. $fragment là phần bạn đã gõ.
ds-problem-intro = Mã "{ $fragment }" chưa đúng:
ds-problem-bad-unit = phần mã cơ quan (trước ngày) không đúng dạng; mã cơ quan trông như 000.00.00.H31 (tỉnh, thành phố dùng chữ H, bộ, ngành dùng chữ G).
ds-problem-missing-unit = thiếu phần mã cơ quan ở đầu, ví dụ 000.00.00.H31.
ds-problem-bad-date = phần ngày phải là 6 chữ số năm-tháng-ngày (YYMMDD) của một ngày có thật, ví dụ 250714 là 14/07/2025.
ds-problem-future-date = phần ngày chỉ một ngày trong tương lai; bạn kiểm tra lại 6 chữ số ngày trên giấy tiếp nhận.
ds-problem-missing-date = thiếu phần ngày nhận hồ sơ (6 chữ số YYMMDD) giữa mã cơ quan và số thứ tự.
ds-problem-missing-sequence = thiếu số thứ tự ở cuối (4 chữ số), ví dụ …-250714-0001.
ds-problem-bad-sequence = số thứ tự ở cuối phải là chữ số (thường là 4 chữ số), ví dụ 0001.
ds-problem-incomplete-unit = mã cơ quan viết tắt nên không biết là cơ quan nào; bạn gõ đầy đủ như trên giấy, ví dụ 000.00.00.H31.
ds-problem-not-a-code = đây không phải mã hồ sơ.
ds-problem-other = mã không đọc được; bạn gõ đúng như trên giấy tiếp nhận, ví dụ 000.00.00.H31-250714-0001.
ds-problem-example = Mã đúng có dạng: 000.00.00.H31-250714-0001.

ds-not-found =
    Không tìm thấy hồ sơ { $code }.
    • Bạn kiểm tra lại mã trên giấy tiếp nhận (số 0 và chữ O, số 1 và chữ I dễ nhầm).
    • Hồ sơ vừa nộp có thể mất đến 1 ngày làm việc mới tra cứu được.
    • Nếu vẫn không thấy, bạn liên hệ bộ phận một cửa nơi đã nộp hồ sơ.
ds-rate-limited = Bạn đã tra cứu nhiều lần trong thời gian ngắn. Để bảo vệ thông tin hồ sơ, vui lòng thử lại sau { $time }.
ds-unknown-limited = Bạn đã gõ nhiều mã không tồn tại. Để bảo vệ thông tin hồ sơ của mọi người, việc tra cứu tạm dừng đến { $time }.
ds-upstream-down = Hệ thống một cửa điện tử hiện không trả lời nên chưa tra được hồ sơ. Bạn vui lòng thử lại sau ít phút; hồ sơ của bạn không bị ảnh hưởng.

# Thẻ hồ sơ: không có thông tin cá nhân nếu chưa xác minh.
ds-card-title = Hồ sơ { $code }
ds-card-procedure = Thủ tục: { $name }
ds-card-procedure-code = Thủ tục: { $name } ({ $code })
ds-card-agency = Nơi tiếp nhận: { $agency }
ds-card-channel = Hình thức nộp: { $channel }
ds-card-received = Ngày tiếp nhận: { $date }
ds-card-not-received = Ngày tiếp nhận: chưa tiếp nhận
ds-card-due = Ngày hẹn trả kết quả: { $date }
ds-card-finished = Ngày giải quyết xong: { $date }
ds-card-status = Tình trạng: { $status }
ds-card-result-postal = Kết quả sẽ được gửi qua bưu điện theo đăng ký.
ds-card-applicant = Người nộp: { $name }
ds-card-phone = Số điện thoại đăng ký: { $phone }
ds-card-private = Tên người nộp và các thông tin cá nhân chỉ hiện sau khi bạn xác minh là chủ hồ sơ.
ds-card-history = Diễn biến gần đây:
ds-card-event = • { $date }: { $status }
ds-btn-history = 🕘 Xem toàn bộ diễn biến ({ $count })
ds-history-title = Diễn biến hồ sơ { $code }
ds-history-empty = Hồ sơ chưa có bước xử lý nào được ghi nhận.
ds-card-event-note = • { $date }: { $status } — { $note }

ds-channel-1 = trực tiếp
ds-channel-2 = trực tuyến
ds-channel-3 = qua bưu chính công ích

# Trễ hạn / đúng hạn (tính theo ngày Việt Nam, không phải một trạng thái).
ds-late = ⚠️ Đã quá hạn { $days } ngày so với ngày hẹn trả. Nếu chưa nhận được thư xin lỗi và hẹn lại (Mẫu 04), bạn có thể hỏi bộ phận một cửa hoặc gọi đường dây nóng của cơ quan.
ds-late-hotline = ⚠️ Đã quá hạn { $days } ngày so với ngày hẹn trả. Nếu chưa nhận được thư xin lỗi và hẹn lại (Mẫu 04), bạn có thể hỏi bộ phận một cửa hoặc gọi đường dây nóng { $hotline }.
ds-due-today = Hôm nay là ngày hẹn trả kết quả.
ds-on-track = Đúng tiến độ: còn { $days } ngày đến ngày hẹn trả.
ds-finished-on-time = ✅ Giải quyết đúng hẹn.
ds-finished-late = Giải quyết xong nhưng trễ { $days } ngày so với ngày hẹn.

# 10 trạng thái quốc gia, nói bằng lời thường.
ds-status-1 = Mới đăng ký (nộp trực tuyến, chờ tiếp nhận)
ds-status-2 = Đã được tiếp nhận
ds-status-3 = Không được tiếp nhận
ds-status-4 = Đang xử lý
ds-status-5 = Cần bổ sung giấy tờ
ds-status-6 = Cần nộp phí, lệ phí hoặc thuế
ds-status-7 = Đã rút hồ sơ theo yêu cầu của bạn
ds-status-8 = Dừng xử lý
ds-status-9 = Đã có kết quả, chờ bạn nhận
ds-status-10 = Đã trả kết quả
ds-status-1-hint = Hồ sơ nộp trực tuyến đã đến cơ quan và đang chờ cán bộ kiểm tra, tiếp nhận.
ds-status-2-hint = Cơ quan đã nhận đủ hồ sơ và hẹn ngày trả kết quả.
ds-status-3-hint = Hồ sơ không được tiếp nhận; lý do ghi trong phiếu từ chối (Mẫu 03). Bạn có thể hoàn thiện theo hướng dẫn rồi nộp lại.
ds-status-4-hint = Cán bộ đang giải quyết hồ sơ của bạn; bạn chưa cần làm gì thêm.
ds-status-5-hint = Cơ quan cần bạn nộp thêm hoặc sửa giấy tờ (phiếu yêu cầu bổ sung, Mẫu 02).
ds-status-6-hint = Hồ sơ đã giải quyết đến bước nộp tiền; bạn cần nộp khoản tiền dưới đây thì mới nhận được kết quả.
ds-status-7-hint = Hồ sơ đã được rút theo yêu cầu của bạn; cơ quan không giải quyết tiếp.
ds-status-8-hint = Cơ quan đã dừng giải quyết hồ sơ; lý do ghi trong thông báo gửi bạn. Bạn có thể hỏi bộ phận một cửa nơi nộp hồ sơ.
ds-status-9-hint = Kết quả đã sẵn sàng. Bạn mang giấy tiếp nhận và căn cước đến nhận, hoặc đăng ký nhận qua bưu điện.
ds-status-10-hint = Kết quả đã được trao cho bạn (hoặc người được ủy quyền). Hồ sơ đã hoàn tất.

# Trạng thái 5 và 6: cần làm gì.
ds-missing-5-title = Giấy tờ cần bổ sung:
ds-missing-5-todo = Cách làm: mang hoặc gửi bưu điện các giấy tờ trên đến { $agency }, kèm giấy tiếp nhận (nếu nộp trực tuyến thì bổ sung ngay trên Cổng Dịch vụ công). Thời hạn giải quyết được tính lại từ khi cơ quan nhận đủ giấy tờ.
ds-missing-6-title = Khoản cần nộp:
ds-missing-6-todo = Cách làm: nộp tại { $agency } hoặc thanh toán trực tuyến trên Cổng Dịch vụ công (mục Thanh toán trực tuyến) và giữ biên lai. Sau khi cơ quan nhận được tiền, hồ sơ được giải quyết tiếp.
ds-missing-none = Cơ quan chưa ghi cụ thể; bạn xem phiếu thông báo đã nhận hoặc hỏi bộ phận một cửa.

ds-btn-verify = 🔐 Xác minh chủ hồ sơ
ds-btn-notify = 🔔 Báo tôi khi có thay đổi
ds-btn-unnotify = 🔕 Tắt thông báo
ds-btn-postal = 📮 Nhận kết quả qua bưu điện
ds-btn-show = 📄 Xem hồ sơ
ds-btn-unfollow = 🔕 Bỏ theo dõi …{ $short }

# Xác minh (yếu tố thứ hai).
ds-verify-prompt = Để xem thông tin cá nhân của hồ sơ { $code }, bạn gõ 4 số cuối của số điện thoại hoặc số căn cước đã khai khi nộp hồ sơ.
ds-verify-not-digits = Bạn gõ đúng 4 chữ số cuối (ví dụ 5678) của số điện thoại hoặc số căn cước; gõ "hủy" để thôi.
ds-verify-ok = Đã xác minh. Cảm ơn bạn!
ds-verify-wrong = Chưa đúng. Hôm nay bạn còn { $left } lần thử cho hồ sơ này.
ds-verify-locked = Bạn đã nhập sai quá nhiều lần. Để bảo vệ hồ sơ, việc xác minh hồ sơ này tạm khóa đến { $time } ngày { $date } (giờ Việt Nam).
ds-verify-no-secret = Hồ sơ này không có số điện thoại hay số căn cước để xác minh qua tin nhắn. Bạn vui lòng liên hệ trực tiếp bộ phận một cửa nơi nộp hồ sơ.

# Theo dõi và thông báo.
ds-notify-on = Đã bật thông báo: khi hồ sơ { $code } thay đổi tình trạng, tôi sẽ nhắn bạn. Gõ /hoso để xem các hồ sơ bạn đang theo dõi.
ds-notify-already = Bạn đã bật thông báo cho hồ sơ { $code } rồi.
ds-notify-off = Đã tắt thông báo cho hồ sơ { $code }.
ds-notify-none = Bạn không theo dõi hồ sơ { $code }.
ds-list-empty = Bạn chưa theo dõi hồ sơ nào. Gõ mã hồ sơ rồi bấm "Báo tôi khi có thay đổi" để được nhắn khi hồ sơ thay đổi.
ds-list-title = Bạn đang theo dõi { $count } hồ sơ:
ds-list-line = • { $code }: { $status }
ds-list-line-gone = • { $code }: không còn trong hệ thống

# Tin nhắn chủ động khi hồ sơ đổi trạng thái.
ds-push-status = 🔔 Hồ sơ { $code } vừa chuyển sang: { $status }.
ds-push-note = Ghi chú của cơ quan: { $note }
ds-push-due = Ngày hẹn trả mới: { $date }
