"""The inbox's words in Spanish and English; an agent's language is theirs, switchable on any page."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # (es, en)
    "inbox": ("Bandeja", "Inbox"), "sign_in": ("Ingresar", "Sign in"), "sign_out": ("Salir", "Sign out"),
    "email": ("Correo", "E-mail"), "password": ("Contraseña", "Password"),
    "bad_login": ("Correo o contraseña incorrectos.", "Wrong e-mail or password."),
    "too_many": ("Demasiados intentos. Espere unos minutos.", "Too many attempts. Wait a few minutes."),
    "queue": ("Casos", "Cases"), "active": ("Activos", "Active"), "open": ("Sin tomar", "Open"),
    "assigned": ("Tomados", "Assigned"), "resolved": ("Resueltos", "Resolved"), "search": ("Buscar", "Search"),
    "reason": ("Motivo", "Reason"), "channel": ("Canal", "Channel"), "debtor": ("Deudor", "Debtor"),
    "balance": ("Saldo abierto", "Open balance"), "waiting": ("Espera", "Waiting"),
    "holder": ("Lo tiene", "Held by"), "nobody": ("nadie", "nobody"), "over_sla": ("fuera de SLA", "over SLA"),
    "no_cases": ("No hay casos.", "No cases."), "take": ("Tomar", "Take"), "release": ("Liberar", "Release"),
    "reassign": ("Pasar a", "Reassign to"), "back_to_bot": ("Devolver al asistente", "Give back to the bot"),
    "close": ("Cerrar caso", "Close case"), "reply": ("Responder por WhatsApp", "Reply on WhatsApp"),
    "send": ("Enviar", "Send"), "note": ("Nota", "Note"), "log_call": ("Registrar llamada", "Log a call"),
    "save": ("Guardar", "Save"), "promise": ("Registrar promesa", "Register a promise"),
    "objection": ("Registrar objeción", "Record an objection"), "invoice": ("Factura", "Invoice"),
    "amount": ("Valor", "Amount"), "date": ("Fecha", "Date"), "type": ("Tipo", "Type"), "text": ("Texto", "Text"),
    "timeline": ("Historial (todos los canales)", "History (every channel)"),
    "invoices": ("Facturas", "Invoices"), "why": ("Por qué se transfirió", "Why it was handed over"),
    "evidence": ("Evidencia", "Evidence"), "sentiment": ("Sentimiento a lo largo de la conversación",
                                                        "Sentiment along the conversation"),
    "free_text": ("Ventana de 24 h abierta hasta {until}: texto libre.",
                  "24-hour window open until {until}: free text."),
    "template_only": ("Ventana de 24 h cerrada: solo una plantilla aprobada.",
                      "24-hour window closed: only an approved template."),
    "no_template": ("No hay plantilla aprobada configurada (WHATSAPP_AGENT_TEMPLATE).",
                    "No approved template configured (WHATSAPP_AGENT_TEMPLATE)."),
    "done": ("Hecho.", "Done."), "agents": ("Agentes", "Agents"), "name": ("Nombre", "Name"),
    "role": ("Rol", "Role"), "add_agent": ("Agregar agente", "Add an agent"),
    "deactivate": ("Desactivar", "Deactivate"), "activate": ("Activar", "Activate"),
    "live": ("en vivo", "live"), "contact": ("Contacto", "Contact"), "due": ("Vence", "Due"),
    "you": ("usted", "you"), "promises": ("Promesas", "Promises"), "call": ("Llamada", "Call"),
    "callback": ("devolver la llamada", "call back"),
    "metrics": ("Métricas", "Metrics"), "from": ("Desde", "From"), "to": ("Hasta", "To"), "show": ("Ver", "Show"),
    "family:preventive": ("Preventiva", "Preventive"), "family:reactive": ("Reactiva", "Reactive"),
    "metric:contacts": ("Contactos", "Contacts"), "metric:contact_rate": ("Tasa de contacto", "Contact rate"),
    "metric:reply_rate": ("Tasa de respuesta", "Reply rate"), "metric:promise_rate": ("Tasa de promesas",
                                                                                      "Promise rate"),
    "metric:promise_kept_rate": ("Promesas cumplidas", "Promises kept"),
    "metric:handoff_rate": ("Tasa de traspaso", "Handoff rate"),
    "metric:recovered": ("Monto recuperado", "Amount recovered"),
    "metric:days_to_pay": ("Días hasta el pago", "Days to pay"),
    "reason:plan_review": ("Revisión del plan (riesgo alto)", "Plan review (high risk)"),
    # why the bot handed over
    "reason:complaint": ("Queja", "Complaint"), "reason:dispute": ("Disputa", "Dispute"),
    "reason:insult": ("Insulto", "Insult"), "reason:legal_threat": ("Amenaza legal", "Legal threat"),
    "reason:sentiment": ("Tono de conflicto", "Conflict in tone"),
    "reason:human_requested": ("Pidió una persona", "Asked for a person"),
    "reason:already_paid": ("Dice que ya pagó", "Says it already paid"),
    "reason:billing_error": ("Error de facturación", "Billing error"),
    "reason:bot_failure": ("El asistente no entendió", "The assistant did not understand"),
    "reason:bot_unavailable": ("Asistente no disponible", "Assistant unavailable"),
}


def t(key: str, language: str, **values: str) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key.partition(":")[2] or key  # an unknown reason shows its code
    text = pair[1] if language == "en" else pair[0]
    return text.format(**values) if values else text
