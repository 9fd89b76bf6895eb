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
proc-level-bo = ministry level
proc-level-tinh = provincial level
proc-level-xa = commune level
proc-methods-title = How to file, processing time and fee:
proc-method-line = • { $channel }: { $time } · { $fee }
proc-channel-truc_tiep = In person
proc-channel-truc_tuyen = Online
proc-channel-buu_chinh = By post
proc-unit-ngay_lam_viec = { $n } working days
proc-unit-ngay = { $n } days
proc-unit-gio = { $n } hours
proc-unit-thang = { $n } months
proc-unit-nam = { $n } years
proc-unknown = not stated
proc-fee-free = free of charge
proc-fee-unstated = fee not published
proc-docs-title = Documents to submit ({ $count }):
proc-docs-more = … and { $count } more (press "All documents").
proc-doc-counts = { $original } original, { $copy } copy
proc-result = Result: { $result }
proc-online-toan_trinh = Online filing: fully online (file, pay and receive the result online).
proc-online-mot_phan = Online filing: partial (file online, collect the result in person).
proc-online-unstated = Can be filed online on the Public Service Portal (online level not published).
proc-online-none = This procedure cannot be filed online yet.
proc-link = Details on the National Public Service Portal: { $url }
proc-steps-title = Steps
proc-legal-title = Legal basis
proc-section-empty = No information for this section yet.
proc-btn-docs = 📋 All documents
proc-btn-steps = 🪜 Steps
proc-btn-legal = ⚖️ Legal basis
proc-btn-back-card = ↩ Back to the procedure
proc-feedback-thanks = Thank you for your feedback!
proc-feedback-sorry = Thank you. I will note it so I can answer better. Try wording it differently, or ask the one-stop desk.
