# Receiving the result by post (Decision 45/2016/QĐ-TTg).


postal-btn-back = ↩ Back
postal-btn-cancel = ✖ Cancel
postal-btn-skip = Skip
postal-btn-yes = Yes
postal-btn-no = No
postal-btn-confirm = ✅ Confirm the request
postal-btn-view = 📮 View the request
postal-btn-applicant = Use the applicant's name ({ $name })
postal-btn-registered-phone = Use the registered number ({ $phone })
postal-btn-cancel-request = ✖ Cancel the postal request
postal-btn-cancel-yes = Yes, cancel it
postal-btn-cancel-no = No, keep it

postal-ask-code = Which dossier should be delivered by post? Type the dossier code from your receipt, e.g. 000.00.00.H31-250714-0001.
postal-bad-code = I could not find a dossier code in your message. It looks like 000.00.00.H31-250714-0001 (unit code - date received - number). Please type it again, or press Cancel.
postal-unknown-dossier = No dossier has this code. Please check the code on your receipt and type it again.

postal-refuse-returned = The result of dossier { $code } has already been handed over, so it can no longer be sent by post.
postal-refuse-rejected = Dossier { $code } was not accepted, so there is no result to send by post.
postal-refuse-withdrawn = Dossier { $code } was withdrawn at the citizen's request, so there is no result to send by post.
postal-refuse-stopped = Processing of dossier { $code } was stopped, so there is no result to send by post.
postal-refuse-generic = Postal delivery cannot be requested for this dossier right now. Please contact the one-stop desk.
postal-active-exists = This dossier already has a postal delivery request in progress:

postal-ask-name =
    📮 Get the result by post (step 1 of 6).
    What is the recipient's full name?
postal-bad-name = A name has letters and spaces only, 2–80 characters, e.g. "Nguyễn Văn An". Please type it again.
postal-ask-phone = The recipient's phone number (step 2 of 6)? The postman calls it on delivery.
postal-bad-phone = That phone number is not valid. Please type a Vietnamese mobile or landline number, e.g. 0912 345 678 or 024 3823 4567.
postal-bad-phone-foreign = That is not a Vietnamese number. The post office needs a domestic number to call on delivery, e.g. 0912 345 678.
postal-bad-phone-hotline = That is a hotline number (1800, 1900…), which the postman cannot call. Please type the recipient's mobile or landline number.
postal-ask-street = Delivery address (step 3 of 6): house number, street, hamlet or residential group? E.g. "Số 5 Lê Lợi". The commune/ward and province come next.
postal-bad-street = That address is not valid (2–{ $limit } characters, with letters or digits). Please type the house number and street again.
postal-bad-street-no-name = The address needs a street, hamlet or village name (for example: 12 Lê Lợi street, or thôn Đông). Please type it again.
postal-bad-street-no-number = The courier needs a house or lane number (for example: 12, or lane 5 Lê Lợi); in the countryside, give the hamlet or village. Please type it again.
postal-ask-ward = Commune/ward and province (step 4 of 6)? Since 1 July 2025 there are no districts, e.g. "phường Lê Chân, Hải Phòng". An old address with a district or a pre-merger province works too: I will convert it to today's name.
postal-bad-ward = I could not find this commune/ward: “{ $typed }”, neither among today's names nor among those before 1 July 2025. Please check the spelling and type it again, e.g. "phường Lê Chân, Hải Phòng".
postal-bad-ward-suggest = I could not find this commune/ward: “{ $typed }”. Did you mean one of these? If not, please check the spelling and type it again.
postal-bad-ward-no-province = Please type the commune/ward with its province, e.g. "phường Lê Chân, Hải Phòng".
postal-bad-ward-unknown-province = I do not recognise that province. Please type the commune/ward with its province, e.g. "phường Lê Chân, Hải Phòng".
postal-ward-ambiguous = Several communes/wards have that name. Please choose the right one:
postal-ward-choose-province = “{ $typed }” matches { $total } communes/wards in several provinces (counting names before 1 July 2025). Choose the right one below, or type it again with the province.
postal-ward-split = The former unit “{ $old }” was split between several new communes/wards. Please choose the right one:
postal-bad-ward-no-ward = Please add the commune/ward, e.g. "phường Lê Chân, Hải Phòng".
postal-option-former = { $ward }, { $province } (formerly { $old })
postal-ward-inferred = I take it you mean { $ward }, { $province } (the only commune/ward with that name).
postal-converted-ward = Under the administrative units in force since 1 July 2025, the former { $old }, { $parents } is now part of { $ward }, { $province }.
postal-converted-ward-kind = There is no { $named }, only the former { $old }, { $parents }, now part of { $ward }, { $province }. If that is not the place you mean, press Back.
postal-converted-district = Under the administrative units in force since 1 July 2025 there are no districts: { $named }, former { $old }, { $parents } is now { $ward }, { $province }.
postal-converted-zone = Under the administrative units in force since 1 July 2025, the former { $old }, { $parents } is now { $ward }, { $province }.
postal-converted-province = Under the administrative units in force since 1 July 2025, { $named }, former { $old } is now { $ward }, { $province }.
postal-converted-kind = There is no { $named }, only { $ward }, { $province }. If that is not the place you mean, press Back.
postal-ask-note = A note for the postman (step 5 of 6), e.g. "call before delivery", "office hours only"? Press Skip if none.
postal-bad-note = The note is too long (at most { $limit } characters). Please shorten it.
postal-ask-cod = This procedure has a fee of { $fee }. Should the postman collect it when delivering the result?
postal-bad-yes-no = Please press Yes or No.
postal-confirm-use-buttons = Please check the details and press "Confirm the request", "Back" to change something, or "Cancel".
postal-contact-received = Thank you, I received the details you shared.

postal-summary-title = Please check your request (step 6 of 6)
postal-summary-dossier = Dossier: { $code }
postal-summary-name = Recipient: { $name }
postal-summary-phone = Phone: { $phone }
postal-summary-address = Address: { $street }, { $ward }, { $province }
postal-summary-note = Note for the postman: { $note }
postal-summary-cod-yes = Collect the procedure fee on delivery: yes ({ $fee })
postal-summary-cod-no = Collect the procedure fee on delivery: no (paid at the one-stop desk)
postal-summary-fee-same = Postage: { $fee } (within the province, provincial tariff), paid by the recipient on delivery.
postal-summary-fee-other = Postage: { $fee } (to another province, provincial tariff), paid by the recipient on delivery.
postal-summary-fee-unknown = Postage: at most { $fee } (provincial tariff), paid by the recipient on delivery.
postal-summary-tariff-note = Postage follows the tariff configured by the province and may change.

postal-created =
    ✅ Request recorded. Reference: { $reference }.
    When the result is ready, the post office delivers it to the address you gave; postage { $fee }. I will message you whenever the request changes. You can cancel it until the post office accepts the item.
postal-already-confirmed = This request was already recorded (reference { $reference }); no new request was created.

postal-card-title = Postal delivery request { $reference }
postal-card-dossier = Dossier: { $code }
postal-card-status = Status: { $status }
postal-card-tracking = Tracking code: { $tracking } (track it on the post office's website)
postal-card-fee = Postage: { $fee }
postal-card-history = History:

postal-status-requested = Requested, waiting for the post office
postal-status-accepted = Accepted by the post office
postal-status-in_transit = In transit
postal-status-delivered = Delivered
postal-status-failed = Delivery attempt failed
postal-status-returned = Returned to the agency
postal-status-cancelled = Cancelled

postal-request-gone = This request was not found, or you have not verified its dossier yet.
postal-not-cancellable = The post office has already accepted the item, so the request can no longer be cancelled. Please contact the post office or the one-stop desk to change it.
postal-cancel-confirm = Cancel request { $reference }? You will then collect the result at the one-stop desk.
postal-cancelled = Request { $reference } cancelled. You will collect the result at the one-stop desk.

postal-push-accepted = 📮 Request { $reference }: the post office has accepted your result for delivery. Tracking code: { $tracking }.
postal-push-in-transit = 🚚 Request { $reference }: your result is on its way (tracking code { $tracking }).
postal-push-delivered = ✅ Request { $reference }: your result has been delivered.
postal-push-failed = ⚠ Request { $reference }: the postman could not deliver your result. Reason: { $reason }. The post office will contact you to deliver it again.
postal-push-returned = ↩ Request { $reference }: the result was returned to the agency. Please contact the one-stop desk to collect it.
postal-tracking-invalid = The tracking code { $tracking } is not valid (its check digit is wrong). Please check the code on the post office receipt: 2 letters, 9 digits and "VN", e.g. EA123456785VN.
postal-tracking-unknown = The tracking code { $tracking } does not belong to any result-delivery request here. For other items, please use the post office's tracking page.
postal-tracking-private = The recipient's name, phone and address are shown only to someone verified as the dossier's owner.
