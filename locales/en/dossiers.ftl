# Dossier status by code, owner verification, following and notifications.

ds-prompt =
    Type the dossier code printed on your receipt and appointment slip, e.g. 000.00.00.H31-250714-0001
    (lower case or spaces are fine).
ds-not-a-code =
    That is not a dossier code. A dossier code looks like <agency code>-<date received YYMMDD>-<number>, e.g. 000.00.00.H31-250714-0001; it is at the top of your receipt.
    To ask something else, press "Never mind, ask something else".
ds-btn-leave = ✖ Never mind, ask something else
ds-btn-menu = ↩ Main menu

# Malformed codes: say precisely which part is wrong. $fragment is what the user typed.
ds-problem-intro = The code "{ $fragment }" is not quite right:
ds-problem-bad-unit = the agency part (before the date) has the wrong shape; an agency code looks like 000.00.00.H31 (provinces use H, ministries G).
ds-problem-missing-unit = the agency part at the start is missing, e.g. 000.00.00.H31.
ds-problem-bad-date = the date part must be 6 digits year-month-day (YYMMDD) of a real day, e.g. 250714 is 14/07/2025.
ds-problem-future-date = the date part is in the future; please check the 6 date digits on your receipt.
ds-problem-missing-date = the date the dossier was received (6 digits, YYMMDD) is missing between the agency code and the number.
ds-problem-missing-sequence = the number at the end (4 digits) is missing, e.g. …-250714-0001.
ds-problem-bad-sequence = the number at the end must be digits (usually 4), e.g. 0001.
ds-problem-incomplete-unit = the agency code is shortened, so it is unclear which agency it is; please type it in full as on the receipt, e.g. 000.00.00.H31.
ds-problem-not-a-code = this is not a dossier code.
ds-problem-other = the code cannot be read; please type it exactly as on your receipt, e.g. 000.00.00.H31-250714-0001.
ds-problem-example = A correct code looks like: 000.00.00.H31-250714-0001.

ds-not-found =
    No dossier { $code } was found.
    • Please check the code on your receipt (0 and O, 1 and I are easily confused).
    • A dossier filed just now can take up to 1 working day to appear.
    • If it still does not appear, please contact the one-stop desk where you filed it.
ds-rate-limited = You have looked up many dossiers in a short time. To protect dossier information, please try again after { $time }.
ds-unknown-limited = You have typed many codes that do not exist. To protect everyone's dossiers, lookups are paused until { $time }.
ds-upstream-down = The one-stop system is not answering right now, so I cannot look up the dossier. Please try again in a few minutes; your dossier is not affected.

# Dossier card: no personal data before verification.
ds-card-title = Dossier { $code }
ds-card-procedure = Procedure: { $name }
ds-card-procedure-code = Procedure: { $name } ({ $code })
ds-card-agency = Received by: { $agency }
ds-card-channel = Filed: { $channel }
ds-card-received = Received on: { $date }
ds-card-not-received = Received on: not received yet
ds-card-due = Result due on: { $date }
ds-card-finished = Completed on: { $date }
ds-card-status = Status: { $status }
ds-card-result-postal = The result will be sent by post, as requested.
ds-card-applicant = Applicant: { $name }
ds-card-phone = Registered phone: { $phone }
ds-card-private = The applicant's name and other personal details are shown only after you verify that the dossier is yours.
ds-card-history = Latest events:
ds-card-event = • { $date }: { $status }
ds-btn-history = 🕘 Full history ({ $count })
ds-history-title = History of dossier { $code }
ds-history-empty = No processing step has been recorded for this dossier yet.
ds-card-event-note = • { $date }: { $status } — { $note }

ds-channel-1 = in person
ds-channel-2 = online
ds-channel-3 = by public postal service

# Late / on time (computed on Vietnam dates; not a status).
ds-late = ⚠️ { $days ->
        [one] 1 day
       *[other] { $days } days
    } past the due date. If you have not received an apology letter with a new date (Form 04), ask the one-stop desk or call the agency's hotline.
ds-late-hotline = ⚠️ { $days ->
        [one] 1 day
       *[other] { $days } days
    } past the due date. If you have not received an apology letter with a new date (Form 04), ask the one-stop desk or call the hotline { $hotline }.
ds-due-today = The result is due today.
ds-on-track = On schedule: { $days ->
        [one] 1 day
       *[other] { $days } days
    } left until the due date.
ds-finished-on-time = ✅ Completed on time.
ds-finished-late = Completed { $days ->
        [one] 1 day
       *[other] { $days } days
    } after the due date.

# The 10 national status codes in plain words.
ds-status-1 = Newly submitted (online, waiting to be received)
ds-status-2 = Received
ds-status-3 = Not accepted
ds-status-4 = Being processed
ds-status-5 = More documents needed
ds-status-6 = Fees, charges or taxes to pay
ds-status-7 = Withdrawn at your request
ds-status-8 = Processing stopped
ds-status-9 = Result ready for collection
ds-status-10 = Result handed over
ds-status-1-hint = Your online dossier has reached the agency and is waiting to be checked and received.
ds-status-2-hint = The agency has received your complete dossier and set a date for the result.
ds-status-3-hint = Your dossier was not accepted; the reasons are in the refusal notice (Form 03). You can complete it as advised and file it again.
ds-status-4-hint = An officer is working on your dossier; there is nothing you need to do.
ds-status-5-hint = The agency needs you to add or correct documents (request to supplement, Form 02).
ds-status-6-hint = Your dossier has reached the payment step; the result is released once you pay the amount below.
ds-status-7-hint = Your dossier was withdrawn at your request; the agency will not process it further.
ds-status-8-hint = The agency stopped processing your dossier; the reasons are in the notice sent to you. You can ask the one-stop desk where you filed it.
ds-status-9-hint = Your result is ready. Bring your receipt and ID card to collect it, or ask for delivery by post.
ds-status-10-hint = The result was handed to you (or your authorised representative). The dossier is complete.

# Statuses 5 and 6: what to do.
ds-missing-5-title = Documents to add:
ds-missing-5-todo = What to do: bring or post the documents above to { $agency } with your receipt (if you filed online, add them on the National Public Service Portal). The processing time restarts when the agency has everything.
ds-missing-6-title = Amount to pay:
ds-missing-6-todo = What to do: pay at { $agency } or online on the National Public Service Portal (Online payment) and keep the receipt. Processing continues once the agency has received the payment.
ds-missing-none = The agency did not list the details; please see the notice you received or ask the one-stop desk.

ds-btn-verify = 🔐 Verify it is mine
ds-btn-notify = 🔔 Notify me of changes
ds-btn-unnotify = 🔕 Stop notifications
ds-btn-postal = 📮 Get the result by post
ds-btn-show = 📄 View dossier
ds-btn-unfollow = 🔕 Unfollow …{ $short }

# Verification (second factor).
ds-verify-prompt = To see the personal details of dossier { $code }, type the last 4 digits of the phone number or ID card number given when the dossier was filed.
ds-verify-not-digits = Please type exactly the last 4 digits (e.g. 5678) of the phone or ID card number; type "cancel" to stop.
ds-verify-ok = Verified. Thank you!
ds-verify-wrong = That is not right. You have { $left ->
        [one] 1 try
       *[other] { $left } tries
    } left today for this dossier.
ds-verify-locked = Too many wrong answers. To protect the dossier, verification for it is locked until { $time } on { $date } (Vietnam time).
ds-verify-no-secret = This dossier has no phone or ID card number to verify by chat. Please contact the one-stop desk where it was filed.

# Following and notifications.
ds-notify-on = Notifications on: I will message you when dossier { $code } changes status. Type /hoso to see the dossiers you follow.
ds-notify-already = Notifications for dossier { $code } are already on.
ds-notify-off = Notifications for dossier { $code } are off.
ds-notify-none = You do not follow dossier { $code }.
ds-list-empty = You do not follow any dossier yet. Type a dossier code and press "Notify me of changes" to hear when it changes.
ds-list-title = You follow { $count ->
        [one] 1 dossier
       *[other] { $count } dossiers
    }:
ds-list-line = • { $code }: { $status }
ds-list-line-gone = • { $code }: no longer in the system

# Pushed when a dossier changes status.
ds-push-status = 🔔 Dossier { $code } is now: { $status }.
ds-push-note = Note from the agency: { $note }
ds-push-due = New due date: { $date }
