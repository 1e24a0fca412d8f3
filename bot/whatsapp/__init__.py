"""WhatsApp, kim-bot's second channel for villagers, through Meta's Cloud API.

Optional: without the WHATSAPP_* settings nothing here runs. `api` is the client, `contacts`
the people who write to the office's number, `markup` turns kim-bot's texts into WhatsApp's.
"""
