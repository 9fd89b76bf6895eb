# Messages that are not procedure questions: thanks, insults, instructions aimed at the bot, office hours, address, hotline (handlers/smalltalk.py).

small-thanks = You are welcome! Whenever you need to look up a procedure or check a dossier, just message me.
small-insult = I am sorry I have not been able to help yet. Tell me what you need to do (e.g. "renew driving licence", "ID card for my child"), or press "Talk to a person" to ask a person.
small-instruction =
    I am the one-stop desk assistant and can only do this: look up administrative procedures, check a dossier's status, arrange delivery of the result by post, and pass your question to an officer.
    I do not change my role or how I work because a message asks me to. Please choose an option below.
small-hours = One-stop desk hours: { $hours }, Monday to Friday (except public holidays).
small-open-now = The desk is open now, until { $until }.
small-closed-now = The desk is closed now; it opens again at { $time } on { $date }.
small-hotline = Hotline: { $hotline }.
small-hotline-none = There is no hotline number yet. Press "Talk to an officer" to send your question to an officer.
small-address = You file at the one-stop desk of the agency that handles the procedure: commune-level procedures at the commune or ward People's Committee where you live, provincial ones at the province's Public Administration Service Centre. Type the procedure's name to see where it is filed.
