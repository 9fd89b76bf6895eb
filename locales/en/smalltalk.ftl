# Messages that are not procedure questions: thanks, insults, instructions aimed at the bot, office hours, address, hotline (handlers/smalltalk.py).

small-thanks = You are welcome! Whenever you need to look up a procedure or check a dossier, just message me.
small-ack = All right. Whenever you need a procedure or your dossier, just message me.
small-no-words = What would you like to ask? Write a few words about what you need to do, for example "ID card for my child", or choose from the menu.
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

# The province profile (bot/province.py): where to file, opening hours, hotline.
province-hours = Opening hours of the { $name }: { $hours } (except public holidays).
province-open-now = It is open now, until { $until }.
province-closed-now = It is closed now.
province-closed-break = It is closed now for the lunch break.
province-closed-weekend = Today is { $day }: closed.
province-closed-holiday = Today is a public holiday ({ $name }): closed.
province-closed-day-off = Today is a day off: closed.
province-opens = It opens again at { $when }.
province-when = { $time } on { $day }, { $date }
province-office-at = { $name } (address: { $address })
province-desk-commune = the Public Administration Service Centre (one-stop desk) of the commune, ward or special zone that handles the procedure, usually where you live
province-desk-either = { $commune }; or { $centre }
province-where-intro = Where you file in person depends on the procedure:
province-where-commune = Commune-level procedures: { $desk }.
province-where-centre = City or provincial procedures: { $centre }.
province-where-desks = Addresses are known for the centres of: { $desks }. Type a ward or commune (e.g. "where is Le Chan ward one-stop desk") to see one.
province-where-online = Many procedures can be filed online on the National Public Service Portal. Type a procedure's name to see where it is filed.
