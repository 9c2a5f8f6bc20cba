"""The doors the web app serves besides the API: Twilio's webhooks for WhatsApp and voice (and, as it
lands, the agents' inbox). Composed here because ``cobranza`` never imports them; they import it."""

from flask import Blueprint

from ivr.calls import bp as ivr_calls
from whatsapp.inbound import bp as whatsapp_inbound
from whatsapp.status import bp as whatsapp_status

DOORS: tuple[Blueprint, ...] = (whatsapp_inbound, whatsapp_status, ivr_calls)
