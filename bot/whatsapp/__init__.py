"""WhatsApp, kim-bot's second channel for villagers, through Meta's Cloud API.

Optional: without the WHATSAPP_* settings nothing here runs. `api` is the client, `contacts`
the people who write to the office's number, `markup` turns kim-bot's texts into WhatsApp's.
`webhook` reads Meta's POSTs, `inbound` handles each message id once, `conversation` answers
(DAFTAR in `signup`, its choice ids in `choices`, open steps in `steps`, CEK and LAPOR in
`tipline`); handlers/whatsapp.py serves the webhook and sends the replies.
"""
