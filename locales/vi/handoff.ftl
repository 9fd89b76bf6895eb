# Gặp cán bộ: phiếu hỏi đáp với cán bộ một cửa (handlers/handoff.py, bot/http/operator/tickets.py).

handoff-btn-open = 👩‍💼 Gặp cán bộ
handoff-btn-close = ✖ Kết thúc trò chuyện
handoff-btn-reply = ✍ Nhắn tiếp cho cán bộ

handoff-opened-in-hours =
    Mình đã chuyển cuộc trò chuyện cho cán bộ một cửa. Cán bộ sẽ trả lời bạn ngay tại đây, thường trước { $until } hôm nay.
    Bạn cứ viết câu hỏi: mọi tin nhắn tiếp theo sẽ được chuyển cho cán bộ.
handoff-opened-after-hours =
    Hiện đang ngoài giờ làm việc (lịch làm việc: { $hours }, trừ ngày nghỉ lễ, Tết).
    Bạn hãy để lại câu hỏi và, nếu muốn, số điện thoại để cán bộ gọi lại. Cán bộ sẽ trả lời từ { $next }.
handoff-next-unknown = ngày làm việc tiếp theo
handoff-when = { $time } { $day }, ngày { $date }
handoff-hotline = Cần gấp, bạn có thể gọi đường dây nóng { $hotline }.
handoff-resumed = Bạn đang trò chuyện với cán bộ. Tin nhắn bạn viết sẽ được chuyển cho cán bộ.

handoff-ack-first = Đã chuyển cho cán bộ. Cán bộ sẽ trả lời bạn tại đây.
handoff-ack-first-after-hours = Đã ghi lại câu hỏi cho cán bộ. Nếu muốn cán bộ gọi lại, bạn gửi thêm số điện thoại nhé.
handoff-ack = ✓ Đã chuyển cho cán bộ.
handoff-ack-phone = Cán bộ sẽ gọi lại số { $phone }.
handoff-contact-shared = (Đã chia sẻ số điện thoại)

handoff-closed = Đã kết thúc trò chuyện với cán bộ. Cảm ơn bạn!
handoff-close-nothing = Bạn không có cuộc trò chuyện nào với cán bộ đang mở.
handoff-ended-timeout = Cuộc trò chuyện với cán bộ đã tự kết thúc vì lâu không có tin nhắn mới.

handoff-push-reply = 👩‍💼 Cán bộ trả lời: { $text }
handoff-push-closed = Cán bộ đã kết thúc cuộc trò chuyện. Khi cần, bạn bấm "Gặp cán bộ" trong menu để hỏi tiếp.

handoff-day-mon = thứ Hai
handoff-day-tue = thứ Ba
handoff-day-wed = thứ Tư
handoff-day-thu = thứ Năm
handoff-day-fri = thứ Sáu
handoff-day-sat = thứ Bảy
handoff-day-sun = Chủ nhật
