"""The WhatsApp door: Twilio's webhooks for WhatsApp (imports cobranza, never the reverse)."""
