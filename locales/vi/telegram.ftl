# Kênh Telegram: mô tả lệnh trong menu và nút chia sẻ số điện thoại.

telegram-command-start = Bắt đầu, menu chính
telegram-command-dossiers = Các hồ sơ bạn đang theo dõi
telegram-command-postal = Nhận kết quả qua bưu điện
telegram-command-language = Đổi ngôn ngữ (Tiếng Việt / English)
telegram-command-cancel = Hủy việc đang làm dở
telegram-command-help = Hướng dẫn sử dụng
telegram-share-contact = 📱 Gửi số điện thoại của tôi
