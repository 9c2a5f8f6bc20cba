"""The doors the web app serves besides the API: Twilio's webhooks for WhatsApp and voice, and the
agents' inbox. Composed here because ``cobranza`` never imports them; they import it."""

from flask import Blueprint

from inbox.auth import bp as inbox_auth
from inbox.views import bp as inbox_views
from ivr.calls import bp as ivr_calls
from whatsapp.inbound import bp as whatsapp_inbound
from whatsapp.status import bp as whatsapp_status

DOORS: tuple[Blueprint, ...] = (whatsapp_inbound, whatsapp_status, ivr_calls, inbox_auth, inbox_views)
