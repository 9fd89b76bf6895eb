# Talk to a person: tickets answered by one-stop officers (handlers/handoff.py, bot/http/operator/tickets.py).

handoff-btn-open = 👩‍💼 Talk to a person
handoff-btn-close = ✖ End the conversation
handoff-btn-reply = ✍ Write to the officer

handoff-opened-in-hours =
    I have passed the conversation to a one-stop officer, who will answer you right here, usually before { $until } today.
    Go ahead and write your question: every message from now on goes to the officer.
handoff-opened-after-hours =
    The office is closed now (office hours: { $hours }, except public holidays).
    Please leave your question and, if you like, a phone number for a call back. An officer will answer from { $next }.
handoff-next-unknown = the next working day
handoff-when = { $time } on { $day }, { $date }
handoff-hotline = If it is urgent, call the hotline { $hotline }.
handoff-resumed = You are talking to an officer. What you write goes to the officer.

handoff-ack-first = Passed to the officer, who will answer you here.
handoff-ack-first-after-hours = Your question is recorded for the officer. If you would like a call back, send a phone number too.
handoff-ack = ✓ Passed to the officer.
handoff-ack-phone = The officer will call you back on { $phone }.
handoff-contact-shared = (Shared a phone number)

handoff-closed = The conversation with the officer has ended. Thank you!
handoff-close-nothing = You have no open conversation with an officer.
handoff-ended-timeout = The conversation with the officer ended because there were no new messages for a long time.

handoff-push-reply = 👩‍💼 Officer's answer: { $text }
handoff-push-closed = The officer has ended the conversation. If you need more help, press "Talk to a person" in the menu.

handoff-day-mon = Monday
handoff-day-tue = Tuesday
handoff-day-wed = Wednesday
handoff-day-thu = Thursday
handoff-day-fri = Friday
handoff-day-sat = Saturday
handoff-day-sun = Sunday
