"""The doors the web app serves besides the API: Twilio's webhooks (and, as they
land, the IVR and the agents' inbox). Composed here because ``cobranza`` never
imports them; they import it."""

from flask import Blueprint

from whatsapp.inbound import bp as whatsapp_inbound
from whatsapp.status import bp as whatsapp_status

DOORS: tuple[Blueprint, ...] = (whatsapp_inbound, whatsapp_status)
