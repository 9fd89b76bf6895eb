# Greeting, menu, help, language, cancel and general errors.

start-greeting =
    Hello! I am the one-stop-shop assistant. I can help you:
    • look up an administrative procedure: which documents, where to file, how long, what fee;
    • check the status of a dossier by the code on your receipt;
    • have the result delivered to you by post.
    Just type naturally, e.g. "birth registration for my child" or a dossier code such as "000.00.00.H31-250714-0001".
menu-title = What would you like to do next?
menu-procedure = 🔎 Look up a procedure
menu-dossier = 📄 Check a dossier
menu-postal = 📮 Get the result by post
menu-language = 🌐 Language / Ngôn ngữ
menu-back = ↩ Main menu

help-text =
    How to use me:
    • Type the name or a description of a procedure (with or without Vietnamese accents), e.g. "renew driving licence", "dang ky tam tru".
    • Type the dossier code from your receipt to see its status, e.g. 000.00.00.H31-250714-0001.
    • /hoso: dossiers you follow.
    • /buudien: get the result by post.
    • /lang: change language (Tiếng Việt / English).
    • /cancel: stop what you are doing.
    I never ask for passwords or bank details.

language-choose = Chọn ngôn ngữ / Choose your language:
language-set = Switched to English.
language-followed = I'll answer in English. To change the language: /lang

cancel-done = Cancelled. What you had entered has been discarded.
cancel-nothing = There is nothing in progress.

fallback-unknown-command = I don't know that command. Pick an option below or type /help.
button-expired = This button has expired. Please choose again from the menu.

error-empty = Your message is empty. Please type a procedure name or a dossier code.
error-too-long = Your message is too long ({ $limit } characters). Please keep it short, e.g. a procedure name or a dossier code.
error-internal = Sorry, something went wrong on our side and your message was not processed. Nothing you entered before was lost; please try again in a few minutes.
error-not-text = I can only read text messages. Please type a procedure name or a dossier code.

console-banner = motcua-bot (demo). Type /start to begin, Ctrl-D to quit.
console-demo-clock = The demo clock starts on { $date } so that the demo dossiers show due dates and lateness as on the day (use --real-clock for today's date).

# An amount of money; Fluent groups the digits as the language expects.
money = VND { $amount }

# Demo: try a push notification from another terminal.
console-demo-push =
    Try a notification: type the dossier code { $code }, type the number of "{ $button }", then in another terminal (same folder) run
        { $command }
    The notification will show up in this chat.

# motcua dossiers event: one dossier status change entered by hand.
dossier-event-applied = Dossier { $code }: status { $number } ({ $status }) recorded.
dossier-event-unchanged = Status and due date are unchanged, so nobody is notified.
dossier-event-notified =
    { $count ->
        [0] Nobody follows this dossier, so nobody is notified. To be notified: in the chat, type the dossier code, then the number of "{ $button }".
        [one] 1 notification queued for the chat following this dossier; an open chat shows it within about { $seconds } s.
       *[other] { $count } notifications queued for the chats following this dossier; an open chat shows them within about { $seconds } s.
    }
dossier-event-unknown = There is no dossier { $code } in this database.
