# Administrative procedure questions.

proc-prompt = Type the name or a description of the procedure, e.g. "birth registration", "renew driving licence", "lam so do".
proc-did-you-mean = I am not sure which procedure you mean. Is it one of these?
proc-btn-none = None of these
proc-not-found =
    I could not find a matching procedure. You could:
    • say briefly what you need to do, e.g. "temporary residence registration", "replace ID card";
    • use everyday words, e.g. "land certificate", "driving licence", "single status certificate";
    • or ask the one-stop desk where you live.
proc-gone = This procedure is no longer in the catalogue. Please search again.
proc-personal-data = To protect you, please do not send phone numbers, ID numbers or other personal data here. When I need to verify you, I only ask for the last 4 digits. Please type a procedure name or a dossier code.

proc-where = Handled by: { $levels } — { $agency }
proc-where-levels = Handled by: { $levels }
proc-desk = File at: { $desk }
proc-level-bo = ministry level
proc-level-tinh = provincial level
proc-level-xa = commune level
proc-methods-title = How to file, processing time and fee:
proc-method-line = • { $channel }: { $time } · { $fee }
proc-channel-truc_tiep = In person
proc-channel-truc_tuyen = Online
proc-channel-buu_chinh = By post
proc-unit-ngay_lam_viec = { $n } { $n ->
    [one] working day
   *[other] working days
}
proc-unit-ngay = { $n } { $n ->
    [one] day
   *[other] days
}
proc-unit-gio = { $n } { $n ->
    [one] hour
   *[other] hours
}
proc-unit-thang = { $n } { $n ->
    [one] month
   *[other] months
}
proc-unit-nam = { $n } { $n ->
    [one] year
   *[other] years
}
proc-unknown = not stated
proc-fee-free = free of charge
proc-fee-unstated = fee not published
proc-fee-by-case = depends on the case (see ⚖️ Legal basis)
proc-time-by-case = depends on the case
proc-docs-title = Documents to submit ({ $count }):
proc-doc-counts = { $original } { $original ->
    [one] original
   *[other] originals
}, { $copy } { $copy ->
    [one] copy
   *[other] copies
}
proc-result = Result: { $result }
proc-online-toan_trinh = Online filing: fully online (file, pay and receive the result online).
proc-online-mot_phan = Online filing: partial (file online, collect the result in person).
proc-online-unstated = Can be filed online on the Public Service Portal.
proc-online-none = This procedure cannot be filed online yet.
proc-link = Details on the National Public Service Portal: { $url }
# The day the procedure's content was checked against the National Public Service Portal.
proc-checked = Information checked on { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
proc-steps-title = Steps
proc-steps-in-vietnamese = The steps are given in Vietnamese, as the catalogue publishes them.
proc-legal-title = Legal basis
proc-section-empty = No information for this section yet.
proc-btn-docs = 📋 All documents
proc-btn-steps = 🪜 Steps
proc-btn-legal = ⚖️ Legal basis
proc-btn-back-card = ↩ Back to the procedure
proc-feedback-thanks = Thank you for your feedback!
proc-feedback-sorry = Thank you. I will note it so I can answer better. Try wording it differently, or ask the one-stop desk.

# The procedure card, short enough for a phone: the details are behind the buttons.
proc-card-figure = { $time } · { $fee }
proc-card-method = • { $channels }: { $figure }
proc-docs-count = Documents to submit: { $count } (press "📋 All documents" to see them).
proc-btn-methods = 💰 Fees, time
proc-methods-page-title = How to file, processing time and fee

# The part of the procedure the citizen asked about, answered first.
proc-via-truc_tuyen = file online
proc-via-truc_tiep = file in person
proc-via-buu_chinh = send by post
proc-or = or
proc-ans-fee = Fee if you { $channels }: { $value }
proc-ans-fee-all = Fee: { $value } (the same however you file).
proc-ans-fee-unstated = The catalogue does not publish a fee for this procedure. Please ask the one-stop desk where you file.
proc-ans-time = Processing time if you { $channels }: { $value }
proc-ans-time-all = Processing time: { $value } (the same however you file).
proc-ans-time-unstated = The catalogue does not publish a processing time for this procedure.
proc-ans-docs = The dossier has { $count } documents, starting with:
proc-ans-docs-unstated = The catalogue does not publish the documents for this procedure.
proc-ans-where-agency = Where to file: { $agency }.
proc-ans-where-levels = File at the one-stop desk ({ $levels }) where you live.
proc-ans-where-also = You can also { $channels }.
proc-ans-where-unstated = The catalogue does not publish where this procedure is filed.
proc-ans-channels = For this procedure you can { $channels }.
proc-ans-online-unstated = The catalogue does not publish how this procedure is filed.
proc-ans-result = What you receive: { $result }
proc-ans-result-unstated = The catalogue does not publish the result of this procedure.
proc-ans-subjects = Who files it: { $subjects }
proc-ans-conditions = Conditions: { $conditions }
proc-ans-eligibility-unstated = The catalogue does not publish who may file this procedure or its conditions.
proc-ans-steps = The procedure has { $count } steps, starting with:
proc-ans-steps-unstated = The catalogue does not publish the steps of this procedure.
