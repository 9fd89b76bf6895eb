# Lời chào, menu, trợ giúp, ngôn ngữ, hủy và các lỗi chung.

start-greeting =
    Xin chào! Tôi là trợ lý một cửa, giúp bạn:
    • tra cứu thủ tục hành chính: cần giấy tờ gì, nộp ở đâu, mất bao lâu, phí bao nhiêu;
    • xem tình trạng hồ sơ theo mã trên giấy tiếp nhận;
    • đăng ký nhận kết quả qua bưu điện.
    Bạn cứ gõ tự nhiên, ví dụ: "làm giấy khai sinh cho con" hoặc mã hồ sơ "000.00.00.H31-250714-0001".
menu-title = Bạn cần gì tiếp theo?
menu-procedure = 🔎 Tra cứu thủ tục
menu-dossier = 📄 Xem tình trạng hồ sơ
menu-postal = 📮 Nhận kết quả qua bưu điện
menu-language = 🌐 Language / Ngôn ngữ
menu-back = ↩ Về menu chính

help-text =
    Cách dùng:
    • Gõ tên hoặc mô tả thủ tục (có dấu hay không dấu đều được), ví dụ "đổi bằng lái", "dang ky tam tru".
    • Gõ mã hồ sơ trên giấy tiếp nhận để xem tình trạng, ví dụ 000.00.00.H31-250714-0001.
    • /hoso: các hồ sơ bạn đang theo dõi.
    • /buudien: nhận kết quả qua bưu điện.
    • /ngonngu: đổi ngôn ngữ (Tiếng Việt / English).
    • /huy: dừng việc đang làm dở.
    Tôi không hỏi và không cần mật khẩu hay số tài khoản của bạn.

language-choose = Chọn ngôn ngữ / Choose your language:
language-set = Đã chuyển sang Tiếng Việt.
language-followed = Tôi sẽ trả lời bằng tiếng Việt. Đổi ngôn ngữ: /lang

cancel-done = Đã hủy. Thông tin đang nhập dở đã được xóa.
cancel-nothing = Hiện không có việc gì đang làm dở.

fallback-unknown-command = Tôi chưa hiểu lệnh này. Bạn chọn một mục bên dưới hoặc gõ /help để xem hướng dẫn.
button-expired = Nút này đã hết hạn. Bạn chọn lại từ menu nhé.

error-empty = Tin nhắn trống. Bạn gõ tên thủ tục hoặc mã hồ sơ nhé.
error-too-long = Tin nhắn dài quá ({ $limit } ký tự). Bạn gõ ngắn gọn hơn, ví dụ tên thủ tục hoặc mã hồ sơ.
error-internal = Xin lỗi, hệ thống vừa gặp sự cố nên chưa xử lý được tin nhắn của bạn. Thông tin trước đó vẫn được giữ nguyên; bạn vui lòng gửi lại sau ít phút.
error-not-text = Tôi chỉ đọc được tin nhắn chữ. Bạn gõ tên thủ tục hoặc mã hồ sơ nhé.

console-banner = motcua-bot (bản chạy thử). Gõ /start để bắt đầu, Ctrl-D để thoát.
console-demo-clock = Đồng hồ của bản chạy thử đặt ở ngày { $date } để các hồ sơ mẫu hiện đúng hạn/trễ hạn như thật (dùng --real-clock để dùng ngày hôm nay).

# An amount of money; Fluent groups the digits as the language expects.
money = { $amount } đồng

# Bản chạy thử: thử thông báo đẩy từ một cửa sổ dòng lệnh khác.
console-demo-push =
    Thử thông báo: gõ mã hồ sơ { $code }, gõ số của nút "{ $button }", rồi ở một cửa sổ dòng lệnh khác (cùng thư mục) chạy
        { $command }
    Thông báo sẽ hiện ngay trong cuộc trò chuyện này.

# motcua dossiers event: ghi tay một lần đổi trạng thái hồ sơ.
dossier-event-applied = Hồ sơ { $code }: đã ghi trạng thái { $number } ({ $status }).
dossier-event-unchanged = Trạng thái và ngày hẹn trả không đổi nên không có thông báo nào.
dossier-event-notified =
    { $count ->
        [0] Chưa có cuộc trò chuyện nào theo dõi hồ sơ này nên không ai được báo. Muốn được báo: trong cuộc trò chuyện, gõ mã hồ sơ rồi gõ số của nút "{ $button }".
       *[other] Đã đưa { $count } thông báo vào hàng chờ gửi cho các cuộc trò chuyện đang theo dõi hồ sơ này; cuộc trò chuyện đang mở sẽ hiện thông báo sau khoảng { $seconds } giây.
    }
dossier-event-unknown = Không có hồ sơ { $code } trong cơ sở dữ liệu này.
