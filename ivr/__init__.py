"""The phone door: Twilio Voice webhooks, TwiML, keypad, transfer, offline speech and the outbound dialer."""
