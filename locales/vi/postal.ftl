# Nhận kết quả qua bưu điện (Quyết định 45/2016/QĐ-TTg).


postal-btn-back = ↩ Quay lại
postal-btn-cancel = ✖ Hủy
postal-btn-skip = Bỏ qua
postal-btn-yes = Có
postal-btn-no = Không
postal-btn-confirm = ✅ Xác nhận gửi yêu cầu
postal-btn-view = 📮 Xem yêu cầu
postal-btn-applicant = Dùng tên người nộp hồ sơ ({ $name })
postal-btn-registered-phone = Dùng số đã đăng ký ({ $phone })
postal-btn-cancel-request = ✖ Hủy yêu cầu gửi bưu điện
postal-btn-cancel-yes = Đúng, hủy yêu cầu
postal-btn-cancel-no = Không, giữ yêu cầu

postal-ask-code = Bạn muốn nhận kết quả của hồ sơ nào qua bưu điện? Gõ mã hồ sơ trên giấy tiếp nhận, ví dụ 000.00.00.H31-250714-0001.
postal-bad-code = Tôi chưa thấy mã hồ sơ trong tin nhắn. Mã có dạng 000.00.00.H31-250714-0001 (mã đơn vị - ngày tiếp nhận - số thứ tự). Bạn gõ lại nhé, hoặc bấm Hủy.
postal-unknown-dossier = Không tìm thấy hồ sơ có mã này. Bạn kiểm tra lại mã trên giấy tiếp nhận rồi gõ lại nhé.

postal-refuse-returned = Hồ sơ { $code } đã được trả kết quả, nên không thể đăng ký nhận qua bưu điện nữa.
postal-refuse-rejected = Hồ sơ { $code } không được tiếp nhận, nên không có kết quả để gửi qua bưu điện.
postal-refuse-withdrawn = Hồ sơ { $code } đã được rút theo yêu cầu của công dân, nên không có kết quả để gửi qua bưu điện.
postal-refuse-stopped = Hồ sơ { $code } đã dừng xử lý, nên không có kết quả để gửi qua bưu điện.
postal-refuse-generic = Hiện không thể đăng ký nhận kết quả qua bưu điện cho hồ sơ này. Bạn vui lòng liên hệ bộ phận một cửa.
postal-active-exists = Hồ sơ này đã có một yêu cầu gửi kết quả qua bưu điện đang thực hiện:

postal-ask-name =
    📮 Nhận kết quả qua bưu điện (bước 1/6).
    Họ và tên người nhận là gì?
postal-bad-name = Họ tên chỉ gồm chữ cái và khoảng trắng, dài 2–80 ký tự, ví dụ "Nguyễn Văn An". Bạn gõ lại nhé.
postal-ask-phone = Số điện thoại của người nhận (bước 2/6)? Bưu tá sẽ gọi số này khi giao.
postal-bad-phone = Số điện thoại chưa đúng. Bạn gõ số di động hoặc cố định Việt Nam, ví dụ 0912 345 678 hoặc 024 3823 4567.
postal-bad-phone-foreign = Số này không phải số điện thoại Việt Nam. Bưu điện cần một số trong nước để gọi khi giao, ví dụ 0912 345 678.
postal-bad-phone-hotline = Đây là số tổng đài (1800, 1900…), bưu tá không gọi được. Bạn gõ số di động hoặc cố định của người nhận nhé.
postal-ask-street = Địa chỉ nhận (bước 3/6): số nhà, tên đường, thôn/xóm/tổ dân phố? Ví dụ "Số 5 Lê Lợi". Xã/phường và tỉnh/thành phố sẽ hỏi ở bước sau.
postal-bad-street = Địa chỉ chưa hợp lệ (cần 2–{ $limit } ký tự, có chữ hoặc số). Bạn gõ lại số nhà, tên đường nhé.
postal-bad-street-no-name = Địa chỉ cần có tên đường, thôn hoặc xóm (ví dụ: số 12 đường Lê Lợi, hoặc thôn Đông). Bạn gõ lại giúp mình nhé.
postal-bad-street-no-number = Bưu tá cần số nhà hoặc số ngõ (ví dụ: số 12, ngõ 5 Lê Lợi); ở nông thôn, ghi tên thôn, xóm. Bạn gõ lại giúp mình nhé.
postal-ask-ward = Xã/phường và tỉnh/thành phố (bước 4/6)? Từ 01/07/2025 không còn cấp huyện, ví dụ "phường Lê Chân, Hải Phòng". Địa chỉ cũ có quận/huyện hoặc tỉnh trước sáp nhập cũng được, tôi sẽ đổi sang tên mới.
postal-bad-ward = Tôi không tìm thấy xã/phường này: “{ $typed }”, cả trong tên mới lẫn tên cũ trước 01/07/2025. Bạn kiểm tra lại chính tả rồi gõ lại, ví dụ "phường Lê Chân, Hải Phòng".
postal-bad-ward-suggest = Tôi không tìm thấy xã/phường này: “{ $typed }”. Có phải bạn muốn chọn một trong các nơi dưới đây? Nếu không, bạn kiểm tra chính tả rồi gõ lại.
postal-bad-ward-no-province = Bạn gõ xã/phường kèm tỉnh/thành phố nhé, ví dụ "phường Lê Chân, Hải Phòng".
postal-bad-ward-unknown-province = Tôi không nhận ra tỉnh/thành phố này. Bạn gõ lại xã/phường kèm tỉnh/thành phố, ví dụ "phường Lê Chân, Hải Phòng".
postal-ward-ambiguous = Có nhiều xã/phường trùng tên. Bạn chọn đúng nơi nhận:
postal-ward-choose-province = “{ $typed }” trùng tên với { $total } xã/phường ở nhiều tỉnh/thành phố (tính cả tên cũ trước 01/07/2025). Bạn chọn nơi nhận bên dưới, hoặc gõ lại kèm tỉnh/thành phố.
postal-ward-split = Đơn vị cũ “{ $old }” đã được chia cho nhiều xã/phường mới. Bạn chọn nơi nhận:
postal-bad-ward-no-ward = Bạn gõ thêm tên xã/phường nhé, ví dụ "phường Lê Chân, Hải Phòng".
postal-option-former = { $ward }, { $province } ({ $old } cũ)
postal-ward-inferred = Tôi hiểu là { $ward }, { $province } (chỉ có một xã/phường mang tên này).
postal-converted-ward = Theo đơn vị hành chính mới (từ 01/07/2025), { $old } (cũ), { $parents } nay thuộc { $ward }, { $province }.
postal-converted-ward-kind = Không có { $named }, chỉ có { $old } (cũ), { $parents }, nay thuộc { $ward }, { $province }. Nếu không phải nơi bạn muốn, bạn bấm Quay lại.
postal-converted-district = Theo đơn vị hành chính mới (từ 01/07/2025), không còn cấp huyện: { $named }, { $old } (cũ), { $parents } nay là { $ward }, { $province }.
postal-converted-zone = Theo đơn vị hành chính mới (từ 01/07/2025), { $old } (cũ), { $parents } nay là { $ward }, { $province }.
postal-converted-province = Theo đơn vị hành chính mới (từ 01/07/2025), { $named }, { $old } (cũ) nay là { $ward }, { $province }.
postal-converted-kind = Không có { $named }, chỉ có { $ward }, { $province }. Nếu không phải nơi bạn muốn, bạn bấm Quay lại.
postal-ask-note = Ghi chú cho bưu tá (bước 5/6), ví dụ "gọi trước khi giao", "giao giờ hành chính"? Không có thì bấm Bỏ qua.
postal-bad-note = Ghi chú dài quá (tối đa { $limit } ký tự). Bạn gõ ngắn gọn hơn nhé.
postal-ask-cod = Thủ tục này có phí, lệ phí { $fee }. Bạn có muốn bưu tá thu khoản này khi giao kết quả không?
postal-bad-yes-no = Bạn bấm Có hoặc Không nhé.
postal-confirm-use-buttons = Bạn kiểm tra lại thông tin và bấm "Xác nhận gửi yêu cầu", "Quay lại" để sửa, hoặc "Hủy".
postal-contact-received = Đã nhận thông tin bạn chia sẻ.

postal-summary-title = Kiểm tra lại yêu cầu (bước 6/6)
postal-summary-dossier = Hồ sơ: { $code }
postal-summary-name = Người nhận: { $name }
postal-summary-phone = Điện thoại: { $phone }
postal-summary-address = Địa chỉ: { $street }, { $ward }, { $province }
postal-summary-note = Ghi chú cho bưu tá: { $note }
postal-summary-cod-yes = Thu hộ phí, lệ phí thủ tục khi giao: có ({ $fee })
postal-summary-cod-no = Thu hộ phí, lệ phí thủ tục khi giao: không (nộp tại bộ phận một cửa)
postal-summary-fee-same = Cước bưu chính: { $fee } (trong tỉnh, theo biểu cước của tỉnh), người nhận trả khi nhận.
postal-summary-fee-other = Cước bưu chính: { $fee } (liên tỉnh, theo biểu cước của tỉnh), người nhận trả khi nhận.
postal-summary-fee-unknown = Cước bưu chính: tối đa { $fee } (theo biểu cước của tỉnh), người nhận trả khi nhận.
postal-summary-tariff-note = Cước theo biểu cước do tỉnh cấu hình, có thể thay đổi.

postal-created =
    ✅ Đã ghi nhận yêu cầu. Mã yêu cầu: { $reference }.
    Khi có kết quả, bưu điện sẽ giao đến địa chỉ bạn đã cung cấp; cước { $fee }. Tôi sẽ nhắn cho bạn mỗi khi yêu cầu thay đổi trạng thái. Bạn có thể hủy yêu cầu cho đến khi bưu điện nhận gửi.
postal-already-confirmed = Yêu cầu này đã được ghi nhận rồi (mã { $reference }), tôi không tạo thêm yêu cầu mới.

postal-card-title = Yêu cầu gửi kết quả qua bưu điện { $reference }
postal-card-dossier = Hồ sơ: { $code }
postal-card-status = Trạng thái: { $status }
postal-card-tracking = Mã bưu gửi: { $tracking } (tra cứu trên trang của bưu điện)
postal-card-fee = Cước bưu chính: { $fee }
postal-card-history = Lịch sử:

postal-status-requested = Đã đăng ký, chờ bưu điện nhận
postal-status-accepted = Bưu điện đã nhận gửi
postal-status-in_transit = Đang vận chuyển
postal-status-delivered = Đã giao thành công
postal-status-failed = Giao không thành công
postal-status-returned = Đã chuyển hoàn về cơ quan
postal-status-cancelled = Đã hủy

postal-request-gone = Không tìm thấy yêu cầu này, hoặc bạn chưa xác minh hồ sơ của nó.
postal-not-cancellable = Bưu điện đã nhận gửi nên không thể hủy yêu cầu nữa. Bạn liên hệ bưu điện hoặc bộ phận một cửa nếu cần thay đổi.
postal-cancel-confirm = Bạn chắc chắn muốn hủy yêu cầu { $reference }? Khi hủy, bạn nhận kết quả tại bộ phận một cửa.
postal-cancelled = Đã hủy yêu cầu { $reference }. Bạn sẽ nhận kết quả tại bộ phận một cửa.

postal-push-accepted = 📮 Yêu cầu { $reference }: bưu điện đã nhận gửi kết quả của bạn. Mã bưu gửi: { $tracking }.
postal-push-in-transit = 🚚 Yêu cầu { $reference }: kết quả đang được vận chuyển đến bạn (mã bưu gửi { $tracking }).
postal-push-delivered = ✅ Yêu cầu { $reference }: kết quả đã được giao thành công.
postal-push-failed = ⚠ Yêu cầu { $reference }: bưu tá chưa giao được kết quả. Lý do: { $reason }. Bưu điện sẽ liên hệ để giao lại.
postal-push-returned = ↩ Yêu cầu { $reference }: kết quả đã được chuyển hoàn về cơ quan. Bạn liên hệ bộ phận một cửa để nhận.
postal-tracking-invalid = Mã bưu gửi { $tracking } không hợp lệ (sai chữ số kiểm tra). Bạn xem lại mã trên biên nhận của bưu điện nhé: 2 chữ cái, 9 chữ số và "VN", ví dụ EA123456785VN.
postal-tracking-unknown = Mã bưu gửi { $tracking } không thuộc yêu cầu nhận kết quả nào ở đây. Nếu đây là bưu gửi khác, bạn tra cứu trên trang của bưu điện.
postal-tracking-private = Tên, số điện thoại và địa chỉ người nhận chỉ hiện cho người đã xác minh là chủ hồ sơ.
