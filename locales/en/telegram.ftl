# Telegram channel: command menu descriptions and the share-phone button.

telegram-command-start = Start, main menu
telegram-command-dossiers = Dossiers you follow
telegram-command-postal = Get the result by post
telegram-command-language = Change language (Tiếng Việt / English)
telegram-command-cancel = Cancel what you are doing
telegram-command-help = How to use the bot
telegram-share-contact = 📱 Share my phone number
