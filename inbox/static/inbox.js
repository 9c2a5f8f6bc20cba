// The inbox in the browser: live updates (server-sent events fed through Redis), the panes on a narrow
// screen, search as you type, the composer's tabs and canned replies, and — only when the agent turns them
// on — desktop notifications and a sound when a case opens or a debtor writes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const words = JSON.parse((document.getElementById("inbox-words") || {}).textContent || "{}");
  const inbox = document.getElementById("inbox");
  const openDebtor = inbox && inbox.dataset.debtor ? Number(inbox.dataset.debtor) : null;
  const openCase = inbox && inbox.dataset.case ? Number(inbox.dataset.case) : null;
  const store = {
    get: (k) => { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: (k, v) => { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  };
  const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  // --- panes: on a phone one at a time, on a tablet the list and one more -------------------------
  function showPane(name) {
    if (!inbox) return;
    inbox.dataset.pane = name;
    const target = document.getElementById(name === "list" ? "list" : name);
    if (target) target.scrollTop = name === "conversation" ? target.scrollTop : 0;
  }
  document.addEventListener("click", (e) => {
    const link = e.target.closest("[data-pane-link]");
    if (!link || !inbox) return;
    const pane = link.dataset.paneLink;
    if (pane === "list" && !openCase) return;
    e.preventDefault();
    showPane(pane);
    history.replaceState(null, "", pane === "conversation" ? location.pathname + location.search : location.pathname + location.search + "#" + pane);
  });
  if (inbox && openCase && (location.hash === "#details" || location.hash === "#list")) showPane(location.hash.slice(1));

  // --- the list: filters, search as you type ---------------------------------------------------------
  const form = document.getElementById("list-form");
  function listParams() {
    const params = new URLSearchParams(new FormData(form));
    for (const [k, v] of [...params]) if (!v || (k === "view" && v === "all") || (k === "status" && v === "active")) params.delete(k);
    return params;
  }
  // Only the newest request draws the list: a filter changed twice quickly, or a live update beside it,
  // must not leave the older answer on screen when it arrives last.
  let listRequests = 0;
  async function refreshList() {
    if (!form) return;
    const mine = ++listRequests;
    const params = listParams();
    params.set("partial", "1");
    if (openCase) params.set("open", String(openCase));
    const r = await fetch(form.dataset.list + "?" + params.toString(), { headers: { Accept: "text/html" } });
    if (!r.ok) return;
    const html = await r.text();
    if (mine !== listRequests) return;
    document.getElementById("rows").innerHTML = html;
    const counts = document.getElementById("counts");
    if (counts) document.querySelectorAll(".chip[data-view]").forEach((chip) => {
      const n = chip.querySelector(".n");
      if (n) n.textContent = counts.dataset[chip.dataset.view] || "0";
    });
    if (counts) document.querySelectorAll("[data-summary]").forEach((el) => { el.textContent = counts.dataset[el.dataset.summary] || "0"; });
  }
  function applyFilters() {
    const params = listParams();
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
    document.querySelectorAll(".chip[data-view]").forEach((chip) => {
      const p = new URLSearchParams(params);
      if (chip.dataset.view === "all") p.delete("view"); else p.set("view", chip.dataset.view);
      chip.href = location.pathname + (p.toString() ? "?" + p : "");
    });
    document.querySelectorAll("input[name=list]").forEach((i) => { i.value = params.toString(); });
    return refreshList();
  }
  if (form) {
    let timer = null;
    const search = document.getElementById("search");
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyFilters, 250); });
    form.addEventListener("submit", (e) => { e.preventDefault(); applyFilters(); });
    form.querySelectorAll("select").forEach((s) => s.addEventListener("change", applyFilters));
  }

  // --- the conversation: scroll, tabs, Ctrl+Enter ----------------------------------------------------
  const bottom = () => { const t = document.getElementById("timeline"); if (t) t.scrollTop = t.scrollHeight; };
  bottom();
  document.addEventListener("click", (e) => {
    const tab = e.target.closest(".tab[data-tab]");
    if (!tab) return;
    document.querySelectorAll(".tab[data-tab]").forEach((b) => { b.classList.toggle("on", b === tab); b.setAttribute("aria-selected", b === tab ? "true" : "false"); });
    document.querySelectorAll("[data-tab-panel]").forEach((p) => { p.hidden = p.dataset.tabPanel !== tab.dataset.tab; });
    const area = document.querySelector(`[data-tab-panel="${tab.dataset.tab}"] textarea`);
    if (area) area.focus();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.matches("form.compose textarea")) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });

  // --- canned replies: a list filled from the case, opened by its button or by typing "/" ----------------
  const menu = document.getElementById("canned-menu");
  const toggle = document.getElementById("canned-toggle");
  const filter = document.getElementById("canned-filter");
  const area = document.querySelector("#reply textarea");
  let slash = false; // opened by typing "/" at the start of the message: the "/word" is replaced
  function cannedLanguage() { const on = document.querySelector("[data-canned-lang].on"); return on ? on.dataset.cannedLang : "es"; }
  function filterCanned(text) {
    const q = fold(text);
    menu.querySelectorAll("li[data-lang]").forEach((li) => {
      li.hidden = li.dataset.lang !== cannedLanguage() || (q && !fold(li.textContent).includes(q));
    });
  }
  function openCanned(bySlash) {
    slash = bySlash;
    menu.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    filter.value = bySlash ? area.value.slice(1) : "";
    filterCanned(filter.value);
    if (!bySlash) filter.focus();
  }
  function closeCanned() { menu.hidden = true; toggle.setAttribute("aria-expanded", "false"); slash = false; }
  function insert(text) {
    if (slash) {
      area.value = text;
    } else {
      const start = area.selectionStart ?? area.value.length, end = area.selectionEnd ?? area.value.length;
      const before = area.value.slice(0, start), after = area.value.slice(end);
      const gap = before && !/\s$/.test(before) ? " " : "";
      area.value = before + gap + text + after;
      area.selectionStart = area.selectionEnd = (before + gap + text).length;
    }
    closeCanned();
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  if (menu && toggle && area) {
    toggle.addEventListener("click", () => (menu.hidden ? openCanned(false) : closeCanned()));
    filter.addEventListener("input", () => filterCanned(filter.value));
    menu.addEventListener("click", (e) => {
      const lang = e.target.closest("[data-canned-lang]");
      if (lang) {
        menu.querySelectorAll("[data-canned-lang]").forEach((b) => b.classList.toggle("on", b === lang));
        filterCanned(filter.value);
        return;
      }
      const item = e.target.closest(".canned-item");
      if (item) insert(item.dataset.text);
    });
    area.addEventListener("input", () => {
      if (area.value.startsWith("/") && !area.value.includes("\n")) {
        if (menu.hidden) openCanned(true); else { filter.value = area.value.slice(1); filterCanned(filter.value); }
      } else if (slash) closeCanned();
    });
    const first = () => menu.querySelector("li[data-lang]:not([hidden]) .canned-item");
    const keys = (e) => {
      if (menu.hidden) return;
      if (e.key === "Escape") { closeCanned(); area.focus(); }
      else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && first() && (slash || e.target === filter)) { e.preventDefault(); insert(first().dataset.text); }
    };
    area.addEventListener("keydown", keys);
    filter.addEventListener("keydown", keys);
    document.addEventListener("click", (e) => { if (!menu.hidden && !e.target.closest("#canned")) closeCanned(); });
  }

  // --- notifications and sound: only after the agent turns them on ------------------------------------
  const notifyButton = document.getElementById("notify-toggle");
  const soundButton = document.getElementById("sound-toggle");
  function label(button, state) {
    if (!button) return;
    const text = button.dataset[state] || "";
    button.querySelector(".label").textContent = text;
    button.dataset.state = state;
    button.setAttribute("aria-pressed", state === "on" ? "true" : "false");
    button.title = text;
  }
  const notifying = () => store.get("cobranza.notify") === "on" && "Notification" in window && Notification.permission === "granted";
  const sounding = () => store.get("cobranza.sound") === "on";
  label(notifyButton, notifying() ? "on" : ("Notification" in window && Notification.permission === "denied" ? "denied" : "off"));
  label(soundButton, sounding() ? "on" : "off");
  if (notifyButton) notifyButton.addEventListener("click", async () => {
    if (notifying()) { store.set("cobranza.notify", "off"); label(notifyButton, "off"); return; }
    if (!("Notification" in window)) { label(notifyButton, "denied"); return; }
    let permission = Notification.permission;
    if (permission === "default") permission = await Notification.requestPermission();
    if (permission === "granted") { store.set("cobranza.notify", "on"); label(notifyButton, "on"); }
    else label(notifyButton, permission === "denied" ? "denied" : "off");
  });
  let audio = null;
  window.inboxSounds = 0;
  function chime() {
    window.inboxSounds += 1;
    document.body.dataset.sounds = String(window.inboxSounds);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach((hz, n) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + n * 0.16);
        gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + n * 0.16 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + n * 0.16 + 0.15);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + n * 0.16);
        osc.stop(audio.currentTime + n * 0.16 + 0.16);
      });
    } catch (e) { /* no audio here */ }
  }
  if (soundButton) soundButton.addEventListener("click", () => {
    const on = !sounding();
    store.set("cobranza.sound", on ? "on" : "off");
    label(soundButton, on ? "on" : "off");
    if (on) { try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { /* none */ } }
  });
  function toast(title, body, href) {
    let box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "toasts";
      box.className = "toasts";
      box.setAttribute("role", "status");
      document.body.append(box);
    }
    const note = document.createElement("a");
    note.className = "toast";
    note.href = href;
    const strong = document.createElement("strong"), span = document.createElement("span");
    strong.textContent = title;
    span.textContent = body;
    note.append(strong, span);
    box.prepend(note);
    while (box.children.length > 3) box.lastElementChild.remove();
    setTimeout(() => note.remove(), 8000);
  }
  function tell(item) {
    const looking = item.debtor_id === openDebtor && document.visibilityState === "visible" && document.hasFocus();
    if (looking) return;
    const row = document.querySelector(`#rows [data-debtor="${item.debtor_id}"]`);
    if (!row) return; // not a case of this agent's list
    const fresh = item.kind === "handoff_opened";
    const title = (fresh ? words.new_case : words.message).replace("{name}", row.dataset.name);
    const snippet = row.querySelector(".l3");
    const reason = row.querySelector(".l2 .badge");
    if (notifying()) {
      toast(title, fresh && reason ? reason.textContent.trim() : snippet ? snippet.textContent.trim() : "", row.href);
      try {
        const note = new Notification(title, { body: (fresh && reason ? reason.textContent.trim() : snippet ? snippet.textContent.trim() : ""), tag: "case-" + row.dataset.handoff });
        note.onclick = () => { window.focus(); location.href = row.href; };
      } catch (e) { /* a browser without page notifications */ }
    }
    if (sounding()) chime();
  }

  // --- live: every committed event arrives here ---------------------------------------------------
  const live = document.getElementById("live");
  let caseRequests = 0; // as for the list: only the newest answer is drawn
  // What an agent is typing (a promise's amount and date, a reply) survives the live redraw around it:
  // a message status arriving while they type must not wipe the form. Fields are found again by form
  // id and name; the caret and the focus go back where they were.
  const EDITABLE = "#details-inner form[id], #composer form[id]";
  function typed() {
    const kept = [];
    document.querySelectorAll(EDITABLE).forEach((f) => Array.from(f.elements).forEach((el) => {
      if (!el.name || el.type === "hidden" || el.type === "submit") return;
      const toggles = el.type === "checkbox" || el.type === "radio";
      const changed = toggles ? el.checked !== el.defaultChecked
        : el.tagName === "SELECT" ? Array.from(el.options).some((o) => o.selected !== o.defaultSelected)
        : el.value !== el.defaultValue;
      const focused = el === document.activeElement;
      if (!changed && !focused) return;
      let caret = null;
      try { caret = [el.selectionStart, el.selectionEnd]; } catch (err) { /* a date or a select has none */ }
      kept.push({ form: f.id, name: el.name, value: el.value, checked: el.checked, toggles, focused, caret });
    }));
    return kept;
  }
  function retype(kept) {
    for (const k of kept) {
      const f = document.getElementById(k.form);
      if (!f || !f.matches(EDITABLE)) continue;
      const fields = Array.from(f.elements).filter((el) => el.name === k.name);
      const el = k.toggles ? fields.find((x) => x.value === k.value) : fields[0];
      if (!el) continue;
      if (k.toggles) el.checked = k.checked; else el.value = k.value;
      if (k.focused) {
        el.focus();
        try { if (k.caret && k.caret[0] !== null) el.setSelectionRange(k.caret[0], k.caret[1]); } catch (err) { /* none */ }
      }
    }
  }
  async function refreshCase() {
    const mine = ++caseRequests;
    const url = new URL(location.href);
    url.hash = "";
    if (document.visibilityState !== "visible") url.searchParams.set("seen", "0");
    url.searchParams.delete("done");
    const r = await fetch(url.toString(), { headers: { Accept: "text/html" } });
    if (r.status === 403) { location.reload(); return; }  // someone else took it: the list says so
    if (!r.ok) return;
    const html = await r.text();
    if (mine !== caseRequests) return;
    const page = new DOMParser().parseFromString(html, "text/html");
    const box = document.getElementById("timeline");
    const atBottom = box && box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const kept = typed();
    for (const id of ["timeline", "details-inner"]) {
      const now = document.getElementById(id), fresh = page.getElementById(id);
      if (now && fresh) now.innerHTML = fresh.innerHTML;
    }
    const head = document.getElementById("case-head"), freshHead = page.getElementById("case-head");
    if (head && freshHead && head.dataset.status !== freshHead.dataset.status) {
      head.replaceWith(freshHead);
      const composer = document.getElementById("composer"), freshComposer = page.getElementById("composer");
      if (composer && freshComposer) composer.replaceWith(freshComposer);
    }
    retype(kept);
    if (atBottom) bottom();
  }
  let pending = null;
  const queue = [];
  function onLive(item) {
    queue.push(item);
    if (pending) return;
    pending = setTimeout(async () => {
      const items = queue.splice(0);
      pending = null;
      if (openDebtor && items.some((i) => i.debtor_id === openDebtor)) await refreshCase();
      // the list changes with a case that opens or moves, or with anything about a debtor it shows
      const shown = (i) => document.querySelector(`#rows [data-debtor="${i.debtor_id}"]`);
      if (items.some((i) => i.kind.startsWith("handoff_") || shown(i))) await refreshList();
      items.filter((i) => i.kind === "handoff_opened" || i.kind === "whatsapp_in" || i.kind === "voice_in").forEach(tell);
    }, 200);
  }
  window.onLive = onLive;
  if (window.EventSource && words.events) {
    const source = new EventSource(words.events);
    const mark = (on) => {
      document.body.dataset.live = on ? "1" : "0";
      if (!live) return;
      live.querySelector(".live-dot").textContent = on ? "●" : "○";
      live.querySelector(".live-word").textContent = on ? live.dataset.on : live.dataset.off;
      live.title = on ? live.dataset.on : live.dataset.off;
    };
    // what happened between this page's rendering and the stream's (re)opening is fetched once
    let opened = 0;
    source.onopen = () => {
      mark(true);
      opened += 1;
      const caughtUp = openCase ? refreshCase().then(refreshList) : refreshList();
      caughtUp.finally(() => { document.body.dataset.opened = String(opened); });
    };
    source.onerror = () => mark(false);
    source.onmessage = (e) => { try { onLive(JSON.parse(e.data)); } catch (err) { /* not ours */ } };
  }
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible" && openCase) refreshCase().then(refreshList); });
})();

// Choosing whom to answer shows that contact's 24-hour window and replies: the case page again, for them.
document.addEventListener("change", (e) => {
  if (!e.target.matches || !e.target.matches("#reply select[name=contact_id]")) return;
  const url = new URL(location.href);
  url.searchParams.set("contact_id", e.target.value);
  url.searchParams.delete("done");
  location.assign(url.toString());
});
