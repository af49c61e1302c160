// Patrimoine terrain — the technician's app: my work, one order, « signaler autre chose ».
// Everything is drawn from the copy of my orders kept by the service worker, plus what I did on the
// phone and has not reached the server yet (the queue in IndexedDB). No framework, no build step.
"use strict";
(() => {
  const T = window.Terrain;
  const config = JSON.parse(document.getElementById("fa-config").textContent);
  const STRINGS = JSON.parse(document.getElementById("fa-strings").textContent);
  const main = document.getElementById("contenu");
  const statusBox = document.getElementById("fa-status");
  const announcer = document.getElementById("fa-announce");

  const S = {
    data: null,
    fetchedAt: 0,
    stale: false,
    loginNeeded: false,
    catalogue: [],
    ops: [],
    others: 0,
    timers: {},
    urls: new Map(),
    confirmDone: null,
    signing: null,
    copied: new Set(),
  };

  // --- Small helpers -----------------------------------------------------------------------------

  function t(key, values) {
    let text = STRINGS[key] === undefined ? key : STRINGS[key];
    if (values) text = text.replace(/%\((\w+)\)s/g, (_, name) => (values[name] === undefined ? "" : values[name]));
    return text;
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, "");
      else el.setAttribute(key, value);
    });
    children.flat(Infinity).forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return el;
  }

  function fill(el, ...children) {
    el.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
  }

  function announce(message) {
    announcer.textContent = "";
    setTimeout(() => (announcer.textContent = message), 50);
  }

  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  function hoursText(value) {
    const minutes = Math.round(Number(value) * 60);
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (!hours) return `${rest} min`;
    return rest ? `${hours} h ${String(rest).padStart(2, "0")}` : `${hours} h`;
  }

  const dayFormat = new Intl.DateTimeFormat("fr-FR", { weekday: "long", day: "numeric", month: "long" });
  const timeFormat = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
  const shortDate = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric" });

  function whenText(order) {
    if (!order.planned_start)
      return order.due_date ? t("due", { date: dayFormat.format(new Date(order.due_date)) }) : "";
    const start = new Date(order.planned_start);
    const day = start.toDateString() === new Date().toDateString() ? t("today_lower") : dayFormat.format(start);
    return `${day}, ${timeFormat.format(start)}`;
  }

  function lastSyncText(ms) {
    if (!ms) return t("never_sent");
    const d = new Date(ms);
    const day = d.toDateString() === new Date().toDateString() ? t("today_lower") : shortDate.format(d);
    return t("last_sync", { when: `${day} ${t("at")} ${timeFormat.format(d)}` });
  }

  function clock(ms) {
    const s = Math.floor(ms / 1000);
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  }

  // --- Data: the server's copy (through the service worker) and the local queue --------------------

  async function fetchJson(url) {
    const viaWorker = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
    let response = null;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual",
      });
    } catch (error) {
      response = null;
    }
    if (response && (response.status === 401 || response.type === "opaqueredirect")) {
      // Signed out (here or on another page): the copy of the data goes; the unsent queue stays.
      S.loginNeeded = true;
      if (window.caches) await caches.delete(config.data_cache);
      return null;
    } else if (response && response.ok) {
      S.loginNeeded = false;
    }
    if ((!response || !response.ok) && window.caches) response = await caches.match(url, { ignoreVary: true });
    if (!response || !response.ok) return null;
    const fetched = response.headers.get("X-Terrain-Fetched");
    if (!fetched && !viaWorker && window.caches) {
      // First visit, before the service worker is in charge: keep the copy it would have kept.
      const headers = new Headers(response.headers);
      headers.set("X-Terrain-Fetched", String(Date.now()));
      headers.delete("Vary");
      const copy = new Response(await response.clone().blob(), { status: 200, headers });
      await (await caches.open(config.data_cache)).put(url, copy);
      S.copied.add(url);
    }
    return { data: await response.json(), fetchedAt: fetched ? Number(fetched) : Date.now(), stale: Boolean(fetched) };
  }

  async function loadData() {
    const answer = await fetchJson(config.urls.bootstrap);
    if (!answer) return false;
    S.data = answer.data;
    S.fetchedAt = answer.fetchedAt;
    S.stale = answer.stale;
    const previous = await T.db.kvGet("user");
    if (previous !== null && previous !== S.data.user.id) await forgetOthers(S.data.user.id);
    await T.db.kvSet("user", S.data.user.id);
    if (!S.stale) await T.sync.purge(S.fetchedAt);
    const catalogue = await fetchJson(config.urls.catalogue);
    if (catalogue)
      S.catalogue = catalogue.data.items.map((item) => ({ ...item, key: fold(`${item.label} ${item.ref}`) }));
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      const urls = S.data.orders
        .filter((o) => o.group === "today")
        .flatMap((o) => [...o.photos, ...o.requests.flatMap((r) => r.photos)])
        .filter((p) => p.prefetch)
        .map((p) => p.url);
      navigator.serviceWorker.controller.postMessage({ type: "prefetch", urls });
    }
    return true;
  }

  // Someone else signs in on this phone: forget what the previous user saw, keep his unsent queue.
  async function forgetOthers(user) {
    for (const op of await T.sync.all()) {
      if (op.user !== user && op.state !== "pending") await T.db.delOp(op.id);
    }
    for (const row of await T.db.all("kv")) {
      if (row.key.startsWith("timer:") && !row.key.startsWith(`timer:${user}:`)) await T.db.kvDel(row.key);
    }
  }

  async function refreshOps() {
    const all = await T.sync.all();
    S.ops = all.filter((op) => op.user === T.sync.state.user);
    S.opsLoaded = true;
    S.others = all.filter((op) => op.user !== T.sync.state.user && op.state === "pending").length;
    for (const op of S.ops) {
      if (op.type === "photo" && !S.urls.get(op.id)) {
        const stored = await T.db.get("blobs", op.id);
        if (stored) S.urls.set(op.id, URL.createObjectURL(stored.files[0].blob));
      }
    }
  }

  // Local operations not yet visible in the server's copy: pending ones, and sent ones acknowledged
  // after that copy was fetched.
  function overlay(orderId) {
    return S.ops.filter(
      (op) => op.order === orderId && (op.state === "pending" || (op.state === "sent" && op.ackAt > S.fetchedAt)),
    );
  }

  function effective(order) {
    const ops = overlay(order.id);
    const o = {
      ...order,
      checklist: order.checklist.map((item) => ({ ...item })),
      report: { ...order.report },
      time_entries: [...order.time_entries],
      materials: [...order.materials],
      localPhotos: [],
    };
    const known = new Set([...order.time_entries, ...order.materials].map((line) => line.client_uuid));
    ops.forEach((op) => {
      const pending = op.state === "pending";
      if (op.type === "temps" && !known.has(op.id)) {
        o.time_entries.push({
          id: op.id,
          date: op.payload.date,
          hours: op.payload.hours,
          mine: true,
          pending,
          technician: "",
        });
      } else if (op.type === "materiel" && !known.has(op.id)) {
        o.materials.push({
          id: op.id,
          label: op.payload.catalogue_label,
          quantity: op.payload.quantity,
          unit: op.payload.unit,
          pending,
        });
      } else if (op.type === "controle") {
        const item = o.checklist.find((i) => i.id === op.payload.item);
        if (item) Object.assign(item, { done: op.payload.done, pending });
      } else if (op.type === "compte_rendu") {
        Object.assign(o.report, { notes: op.payload.notes, notesPending: pending });
      } else if (op.type === "signature") {
        Object.assign(o.report, { signed: true, signed_by_name: op.payload.signed_by_name, signaturePending: pending });
      } else if (op.type === "statut") {
        o.status = op.payload.to;
        o.status_label = t(`status_${op.payload.to}`);
        o.statusPending = pending;
        o.group = { termine: "done", suspendu: "suspended", en_cours: "today" }[op.payload.to];
      } else if (op.type === "photo") {
        o.localPhotos.push({ id: op.id, url: S.urls.get(op.id), pending });
      }
    });
    return o;
  }

  async function queue(type, orderId, payload, files, message) {
    await T.sync.add(type, orderId, payload, files);
    await refreshOps();
    render();
    if (message) announce(message);
  }

  // --- Timers (kept in IndexedDB: they survive a reload or a dead battery) ------------------------

  function timerKey(orderId) {
    return `timer:${T.sync.state.user}:${orderId}`;
  }

  async function loadTimers() {
    S.timers = {};
    for (const row of await T.db.all("kv")) {
      const prefix = `timer:${T.sync.state.user}:`;
      if (row.key.startsWith(prefix)) S.timers[row.key.slice(prefix.length)] = row.value;
    }
  }

  function elapsed(timer) {
    if (!timer) return 0;
    return timer.accumulated + (timer.running ? Date.now() - timer.startedAt : 0);
  }

  async function setTimer(orderId, timer) {
    if (timer) {
      S.timers[orderId] = timer;
      await T.db.kvSet(timerKey(orderId), timer);
    } else {
      delete S.timers[orderId];
      await T.db.kvDel(timerKey(orderId));
    }
  }

  setInterval(() => {
    document.querySelectorAll("[data-timer]").forEach((el) => {
      el.textContent = clock(elapsed(S.timers[el.dataset.timer]));
    });
  }, 1000);

  // --- Status bar: always says what waits and when the last send happened --------------------------

  async function renderStatus() {
    // Not before the queue is read: « 0 action en attente » would be false while some wait.
    if (!S.opsLoaded) return;
    const pending = S.ops.filter((op) => op.state === "pending").length;
    const sync = T.sync.state;
    const online = navigator.onLine;
    document.documentElement.dataset.sync = sync.running ? "running" : "idle";
    fill(
      statusBox,
      h("span", { class: `fa-pill ${online ? "fa-pill--on" : "fa-pill--off"}` }, online ? t("online") : t("offline")),
      h(
        "strong",
        { class: "fa-pending", id: "fa-pending" },
        pending === 1 || pending === 0 ? t("pending_one", { n: pending }) : t("pending_many", { n: pending }),
      ),
      h("span", { class: "fa-last", id: "fa-last" }, lastSyncText(sync.lastSync)),
      sync.running ? h("span", { class: "fa-sending" }, t("sending")) : null,
      !sync.running && pending > 0 && online
        ? h(
            "button",
            { type: "button", class: "button button--small fa-send", onclick: () => T.sync.run() },
            t("send_now"),
          )
        : null,
      sync.error === "login" || S.loginNeeded
        ? h("a", { class: "fa-login", href: config.urls.login }, t("login_again"))
        : null,
      S.others ? h("span", { class: "fa-others" }, t("others_pending", { n: S.others })) : null,
      S.offlineReady ? null : h("span", { class: "fa-others" }, t("preparing_offline")),
    );
  }

  // --- Views -------------------------------------------------------------------------------------

  function render() {
    if (!S.data) return;
    const focused = document.activeElement && document.activeElement.id;
    // A search being typed survives a redraw (e.g. the previous entry's confirmation arriving late).
    const search = focused === "mat-search" ? document.activeElement.value : "";
    const route = location.hash.replace(/^#\/?/, "").split("/");
    let view;
    if (route[0] === "bon" && route[1]) view = viewOrder(route[1]);
    else if (route[0] === "signaler") view = viewReport(route[1]);
    else view = viewHome();
    main.replaceChildren(view);
    renderStatus();
    renderAlerts();
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    if (search) {
      const box = document.getElementById("mat-search");
      box.value = search;
      box.dispatchEvent(new Event("input"));
    }
    const pad = document.getElementById("signature-pad");
    if (pad) S.signing = T.signaturePad(pad);
  }

  function typing() {
    const el = document.activeElement;
    return Boolean(
      el && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) && !["checkbox", "radio", "file"].includes(el.type),
    );
  }

  function goTo(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  }

  // New answers the server gave (kept as conflicts, or refused): shown above every view until read.
  let shownAlerts = null;
  function renderAlerts() {
    const notes = S.ops.filter((op) => op.state === "conflict" || op.state === "refused");
    const key = notes.map((op) => op.id).join();
    if (key === shownAlerts) return;
    shownAlerts = key;
    const box = document.getElementById("fa-messages");
    if (!notes.length) {
      box.replaceChildren();
      return;
    }
    box.replaceChildren(
      h(
        "section",
        { class: "fa-alerts", "aria-labelledby": "fa-alerts-title" },
        h("h2", { id: "fa-alerts-title" }, t("messages")),
        h(
          "ul",
          {},
          notes.map((op) =>
            h(
              "li",
              { class: `fa-alert fa-alert--${op.state}` },
              h("p", {}, op.message || t("refused_generic")),
              h(
                "button",
                {
                  type: "button",
                  class: "button button--secondary button--small",
                  onclick: async () => {
                    await T.db.delOp(op.id);
                    await refreshOps();
                    renderAlerts();
                    const title = main.querySelector("h1");
                    if (title) title.focus();
                  },
                },
                t("understood"),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // On the home page: what waits for the team lead (mine), and what a lead has to settle.
  function waiting() {
    const notes = new Set(S.ops.filter((op) => op.state === "conflict").map((op) => op.id));
    const kept = (S.data.conflicts || []).filter((c) => !notes.has(c.operation));
    return [
      kept.length
        ? h(
            "details",
            { class: "fa-waiting" },
            h("summary", {}, t("waiting_lead", { n: kept.length })),
            h(
              "ul",
              {},
              kept.map((c) => h("li", {}, h("strong", {}, c.summary), " — ", c.reason)),
            ),
          )
        : null,
      S.data.conflicts_to_settle
        ? h(
            "p",
            { class: "fa-lead" },
            h("a", { href: S.data.conflicts_url }, t("to_settle", { n: S.data.conflicts_to_settle })),
          )
        : null,
    ];
  }

  function orderCard(order) {
    const o = effective(order);
    const place = [o.place.building || o.place.site, o.place.space, o.place.location].filter(Boolean).join(" · ");
    return h(
      "li",
      { class: `fa-card fa-card--${o.priority}` },
      h(
        "a",
        { class: "fa-card__main", href: `#/bon/${o.id}` },
        h(
          "span",
          { class: "fa-card__top" },
          h("span", { class: "fa-ref" }, o.reference),
          h("span", { class: `fa-prio fa-prio--${o.priority}` }, o.priority_label),
        ),
        h("span", { class: "fa-card__title" }, o.title),
        place ? h("span", { class: "fa-card__place" }, place) : null,
        h("span", { class: "fa-card__meta" }, [whenText(o), o.status_label].filter(Boolean).join(" · ")),
      ),
      o.place.geo
        ? h(
            "a",
            { class: "fa-card__map", href: o.place.geo },
            t("route"),
            h("span", { class: "visually-hidden" }, ` — ${o.reference}`),
          )
        : null,
    );
  }

  function viewHome() {
    const groups = { today: [], upcoming: [], suspended: [], done: [] };
    const team = S.data.orders.filter((order) => !order.mine);
    S.data.orders.filter((order) => order.mine).forEach((order) => groups[effective(order).group].push(order));
    const titles = {
      today: t("group_today"),
      upcoming: t("group_upcoming"),
      suspended: t("group_suspended"),
      done: t("group_done"),
    };
    const sections = Object.entries(groups)
      .filter(([, orders]) => orders.length)
      .map(([key, orders]) =>
        h(
          "section",
          { class: "fa-group", "aria-labelledby": `g-${key}` },
          h("h2", { id: `g-${key}` }, `${titles[key]} (${orders.length})`),
          h("ul", { class: "fa-cards" }, orders.map(orderCard)),
        ),
      );
    return h(
      "div",
      {},
      h("h1", { tabindex: "-1" }, t("my_work")),
      h("p", { class: "fa-who" }, `${S.data.user.name} · ${S.data.user.organisation}`),
      S.stale
        ? h("p", { class: "fa-stale" }, t("stale", { when: lastSyncText(S.fetchedAt).replace(/^[^:]*: /, "") }))
        : null,
      waiting(),
      sections.length ? sections : h("p", { class: "fa-empty" }, t("no_orders")),
      team.length
        ? h(
            "details",
            { class: "fa-team" },
            h("summary", {}, t("team_orders", { n: team.length })),
            h("ul", { class: "fa-cards" }, team.map(orderCard)),
          )
        : null,
      h(
        "p",
        { class: "fa-actions" },
        h("a", { class: "button button--secondary fa-wide", href: "#/signaler" }, t("report_other")),
      ),
      h(
        "p",
        { class: "fa-actions" },
        h("button", { type: "button", class: "button button--link", id: "fa-logout", onclick: logout }, t("logout")),
        h("span", { id: "fa-logout-state", class: "fa-muted", "aria-live": "polite" }),
      ),
    );
  }

  function section(id, title, ...content) {
    return h("section", { class: "fa-section", "aria-labelledby": id }, h("h2", { id }, title), ...content);
  }

  function viewOrder(id) {
    const order = S.data.orders.find((o) => o.id === id);
    if (!order) {
      return h(
        "div",
        {},
        h("p", {}, h("a", { href: "#/" }, t("back"))),
        h("h1", { tabindex: "-1" }, t("order_missing")),
      );
    }
    const o = effective(order);
    const closed = o.status === "termine";
    return h(
      "div",
      {},
      h("p", { class: "fa-back" }, h("a", { href: "#/" }, t("back"))),
      h("h1", { tabindex: "-1" }, `${o.reference} — ${o.title}`),
      h(
        "p",
        { class: "fa-badges" },
        h("span", { class: `fa-prio fa-prio--${o.priority}` }, o.priority_label),
        h(
          "span",
          { class: "fa-status-label", id: "order-status" },
          o.status_label,
          o.statusPending ? ` (${t("not_sent")})` : "",
        ),
        whenText(o) ? h("span", {}, whenText(o)) : null,
      ),
      placeSection(o),
      requestSection(o),
      equipmentSection(o),
      checklistSection(o),
      timeSection(o),
      materialSection(o),
      photoSection(o),
      notesSection(o),
      signatureSection(o),
      finishSection(o, closed),
      h(
        "p",
        { class: "fa-actions" },
        h("a", { class: "button button--secondary fa-wide", href: `#/signaler/${o.id}` }, t("report_other")),
      ),
    );
  }

  function placeSection(o) {
    const p = o.place;
    return section(
      "s-place",
      t("place"),
      h("p", {}, [p.site, p.building, p.space].filter(Boolean).join(" › ") || p.location || t("no_place")),
      p.location && (p.site || p.building) ? h("p", {}, p.location) : null,
      p.address ? h("p", { class: "fa-address" }, p.address) : null,
      h(
        "p",
        { class: "fa-actions" },
        p.geo ? h("a", { class: "button fa-wide", href: p.geo }, t("open_maps")) : null,
        p.map
          ? h("a", { class: "button button--secondary fa-wide", href: p.map, rel: "noopener" }, t("open_osm"))
          : null,
      ),
    );
  }

  function photoList(photos, label) {
    if (!photos.length) return null;
    return h(
      "ul",
      { class: "fa-photos", "aria-label": label },
      photos.map((p) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: p.url, target: "_blank", rel: "noopener" },
            h("img", { src: p.url, alt: p.title, loading: "lazy", width: "96", height: "96" }),
          ),
        ),
      ),
    );
  }

  function requestSection(o) {
    if (!o.description && !o.requests.length) return null;
    return section(
      "s-request",
      t("request"),
      o.description ? h("p", { class: "fa-pre" }, o.description) : null,
      o.requests.map((r) =>
        h(
          "div",
          { class: "fa-request" },
          h("p", { class: "fa-muted" }, [r.reference, r.channel, r.requester].filter(Boolean).join(" · ")),
          h("blockquote", { class: "fa-pre" }, r.description),
          photoList(r.photos, t("request_photos")),
        ),
      ),
    );
  }

  function equipmentSection(o) {
    const e = o.equipment;
    if (!e) return null;
    return section(
      "s-equipment",
      t("equipment"),
      h("p", {}, h("strong", {}, e.name), ` (${e.code})`, e.brand ? ` — ${e.brand}` : "", ` · ${e.category}`),
      h("h3", {}, t("history")),
      e.history.length ? historyList(e.history.slice(0, 2)) : h("p", { class: "fa-muted" }, t("no_history")),
      e.history.length > 2
        ? h(
            "details",
            {},
            h("summary", {}, t("history_more", { n: e.history.length - 2 })),
            historyList(e.history.slice(2)),
          )
        : null,
    );
  }

  function historyList(entries) {
    return h(
      "ul",
      { class: "fa-history" },
      entries.map((past) =>
        h(
          "li",
          {},
          h("strong", {}, shortDate.format(new Date(past.date))),
          ` — ${past.title} (${past.reference})`,
          past.materials.length ? h("span", { class: "fa-muted" }, ` · ${past.materials.join(", ")}`) : null,
          past.notes ? h("p", { class: "fa-pre fa-muted" }, past.notes) : null,
        ),
      ),
    );
  }

  function checklistSection(o) {
    if (!o.checklist.length) return null;
    return section(
      "s-checklist",
      t("checklist"),
      h(
        "ul",
        { class: "fa-checklist" },
        o.checklist.map((item) =>
          h(
            "li",
            {},
            h("input", {
              type: "checkbox",
              id: `chk-${item.id}`,
              checked: item.done,
              onchange: (event) =>
                queue(
                  "controle",
                  o.id,
                  { item: item.id, done: event.target.checked },
                  null,
                  event.target.checked ? t("checked", { label: item.label }) : t("unchecked", { label: item.label }),
                ),
            }),
            h(
              "label",
              { for: `chk-${item.id}` },
              item.label,
              item.pending ? h("span", { class: "fa-tag" }, t("not_sent")) : null,
            ),
          ),
        ),
      ),
    );
  }

  function lineList(lines, text) {
    if (!lines.length) return h("p", { class: "fa-muted" }, t("nothing_yet"));
    return h(
      "ul",
      { class: "fa-lines" },
      lines.map((line) => h("li", {}, text(line), line.pending ? h("span", { class: "fa-tag" }, t("not_sent")) : null)),
    );
  }

  function timeSection(o) {
    const timer = S.timers[o.id];
    const ms = elapsed(timer);
    const buttons = [];
    if (!timer)
      buttons.push(
        h(
          "button",
          { type: "button", class: "button fa-wide", id: "timer-start", onclick: () => timerStart(o) },
          t("timer_start"),
        ),
      );
    else {
      if (timer.running)
        buttons.push(
          h(
            "button",
            { type: "button", class: "button button--secondary", id: "timer-pause", onclick: () => timerPause(o) },
            t("timer_pause"),
          ),
        );
      else
        buttons.push(
          h(
            "button",
            { type: "button", class: "button button--secondary", id: "timer-resume", onclick: () => timerResume(o) },
            t("timer_resume"),
          ),
        );
      buttons.push(
        h(
          "button",
          { type: "button", class: "button", id: "timer-stop", onclick: () => timerStop(o) },
          t("timer_stop"),
        ),
      );
    }
    return section(
      "s-time",
      t("time"),
      lineList(
        o.time_entries,
        (e) =>
          `${hoursText(e.hours)} — ${shortDate.format(new Date(e.date))}${e.technician && !e.mine ? ` — ${e.technician}` : ""}`,
      ),
      h(
        "div",
        { class: "fa-timer" },
        h("p", { class: "fa-clock", role: "timer", "aria-label": t("timer_label"), "data-timer": o.id }, clock(ms)),
        timer ? h("p", { class: "fa-muted" }, timer.running ? t("timer_running") : t("timer_paused")) : null,
        h("p", { class: "fa-actions" }, buttons),
      ),
      h(
        "form",
        { class: "fa-form", id: "time-form", onsubmit: (event) => timeSubmit(event, o) },
        h("h3", {}, t("time_typed")),
        h(
          "div",
          { class: "fa-row" },
          h(
            "p",
            {},
            h("label", { for: "time-hours" }, t("hours")),
            h("input", {
              type: "number",
              id: "time-hours",
              name: "hours",
              min: "0",
              max: "24",
              step: "1",
              inputmode: "numeric",
              value: "0",
            }),
          ),
          h(
            "p",
            {},
            h("label", { for: "time-minutes" }, t("minutes")),
            h("input", {
              type: "number",
              id: "time-minutes",
              name: "minutes",
              min: "0",
              max: "59",
              step: "1",
              inputmode: "numeric",
              value: "0",
            }),
          ),
        ),
        h(
          "p",
          {},
          h("label", { for: "time-date" }, t("date")),
          h("input", { type: "date", id: "time-date", name: "date", value: today(), max: today(), required: true }),
        ),
        h("p", { class: "fa-error", id: "time-error", role: "alert" }),
        h("button", { type: "submit", class: "button fa-wide", id: "time-save" }, t("time_save")),
      ),
    );
  }

  async function ensureStarted(o) {
    if (o.status === "planifie") await T.sync.add("statut", o.id, { to: "en_cours" });
  }

  async function timerStart(o) {
    const startedAt = Date.now(); // the moment of the tap, not of the queue write that follows
    await ensureStarted(o);
    await setTimer(o.id, { running: true, startedAt, accumulated: 0 });
    await refreshOps();
    render();
    announce(t("timer_started"));
  }

  async function timerPause(o) {
    const timer = S.timers[o.id];
    await setTimer(o.id, { running: false, startedAt: null, accumulated: elapsed(timer) });
    render();
    announce(t("timer_paused"));
  }

  async function timerResume(o) {
    const timer = S.timers[o.id];
    await setTimer(o.id, { running: true, startedAt: Date.now(), accumulated: timer.accumulated });
    render();
    announce(t("timer_running"));
  }

  async function timerStop(o) {
    const minutes = Math.max(1, Math.round(elapsed(S.timers[o.id]) / 60000));
    await setTimer(o.id, null);
    render();
    document.getElementById("time-hours").value = String(Math.floor(minutes / 60));
    document.getElementById("time-minutes").value = String(minutes % 60);
    document.getElementById("time-save").focus();
    announce(t("timer_stopped", { duration: hoursText(minutes / 60) }));
  }

  async function timeSubmit(event, o) {
    event.preventDefault();
    const form = event.target;
    const minutes = Number(form.hours.value || 0) * 60 + Number(form.minutes.value || 0);
    const error = document.getElementById("time-error");
    if (!(minutes > 0 && minutes <= 24 * 60) || !Number.isFinite(minutes)) {
      error.textContent = t("time_invalid");
      form.hours.focus();
      return;
    }
    if (!form.date.value || form.date.value > today()) {
      error.textContent = t("date_invalid");
      form.date.focus();
      return;
    }
    await ensureStarted(o);
    const hours = (Math.round((minutes / 60) * 100) / 100).toFixed(2);
    await queue(
      "temps",
      o.id,
      { date: form.date.value, hours },
      null,
      t("time_saved", { duration: hoursText(minutes / 60) }),
    );
  }

  function materialSection(o) {
    return section(
      "s-material",
      t("material"),
      lineList(o.materials, (m) => `${m.label} × ${String(m.quantity).replace(".", ",")} ${m.unit || ""}`.trim()),
      h(
        "div",
        { class: "fa-form" },
        h("label", { for: "mat-search" }, t("material_search")),
        h("input", {
          type: "search",
          id: "mat-search",
          autocomplete: "off",
          "aria-describedby": "mat-help",
          "aria-controls": "mat-results",
          oninput: (event) => materialResults(o, event.target.value),
        }),
        h("p", { class: "fa-muted", id: "mat-help" }, t("material_help")),
        h("ul", { class: "fa-results", id: "mat-results", "aria-live": "polite" }),
        h(
          "form",
          { id: "mat-form", class: "fa-chosen", hidden: true, onsubmit: (event) => materialSubmit(event, o) },
          h("p", { id: "mat-chosen" }),
          h(
            "p",
            {},
            h("label", { for: "mat-qty" }, t("quantity")),
            h("input", {
              type: "number",
              id: "mat-qty",
              name: "quantity",
              min: "0.001",
              step: "any",
              inputmode: "decimal",
              value: "1",
              required: true,
            }),
          ),
          h("p", { class: "fa-error", id: "mat-error", role: "alert" }),
          h(
            "p",
            { class: "fa-actions" },
            h("button", { type: "submit", class: "button", id: "mat-add" }, t("material_add")),
            h(
              "button",
              { type: "button", class: "button button--secondary", onclick: () => materialReset() },
              t("cancel"),
            ),
          ),
        ),
      ),
    );
  }

  function materialResults(o, query) {
    const list = document.getElementById("mat-results");
    const words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) {
      list.replaceChildren();
      return;
    }
    const orgs = new Set(o.catalogue);
    const found = S.catalogue
      .filter((item) => orgs.has(item.org) && words.every((w) => item.key.includes(w)))
      .slice(0, 8);
    list.replaceChildren(
      ...(found.length
        ? found.map((item) =>
            h(
              "li",
              {},
              h(
                "button",
                { type: "button", class: "fa-result", onclick: () => materialChoose(item) },
                item.label,
                h("span", { class: "fa-muted" }, ` · ${item.ref} · ${item.unit}`),
              ),
            ),
          )
        : [h("li", { class: "fa-muted" }, t("material_none"))]),
    );
  }

  let chosenItem = null;
  function materialChoose(item) {
    chosenItem = item;
    document.getElementById("mat-form").hidden = false;
    document.getElementById("mat-chosen").textContent = t("material_chosen", { label: item.label, unit: item.unit });
    document.getElementById("mat-results").replaceChildren();
    const qty = document.getElementById("mat-qty");
    qty.value = "1";
    qty.focus();
    qty.select();
  }

  function materialReset() {
    chosenItem = null;
    document.getElementById("mat-form").hidden = true;
    const search = document.getElementById("mat-search");
    search.value = "";
    search.focus();
  }

  async function materialSubmit(event, o) {
    event.preventDefault();
    const quantity = Number(String(event.target.quantity.value).replace(",", "."));
    if (!chosenItem || !(quantity > 0)) {
      document.getElementById("mat-error").textContent = t("quantity_invalid");
      return;
    }
    const item = chosenItem;
    chosenItem = null;
    const payload = {
      item: item.id,
      quantity: String(Math.round(quantity * 1000) / 1000),
      unit: item.unit,
      catalogue_label: item.label,
    };
    await queue(
      "materiel",
      o.id,
      payload,
      null,
      t("material_saved", { label: item.label, quantity: String(quantity).replace(".", ",") }),
    );
    document.getElementById("mat-search").focus();
  }

  function photoSection(o) {
    const local = o.localPhotos.map((p) => ({
      url: p.url,
      title: p.pending ? t("photo_pending") : t("photo_sent"),
      pending: p.pending,
    }));
    return section(
      "s-photos",
      t("photos"),
      photoList(o.photos, t("photos_sent")),
      local.length
        ? h(
            "ul",
            { class: "fa-photos", "aria-label": t("photos_local") },
            local.map((p) =>
              h(
                "li",
                {},
                p.url ? h("img", { src: p.url, alt: p.title, width: "96", height: "96" }) : null,
                h("span", { class: "fa-tag" }, p.title),
              ),
            ),
          )
        : null,
      h(
        "p",
        { class: "fa-actions" },
        h("input", {
          type: "file",
          id: "photo-input",
          class: "fa-file-input",
          accept: "image/*",
          capture: "environment",
          multiple: true,
          onchange: (event) => photoAdd(event, o),
        }),
        h("label", { class: "button fa-wide fa-file", for: "photo-input" }, t("photo_take")),
      ),
      h("p", { class: "fa-error", id: "photo-error", role: "alert" }),
    );
  }

  async function photoAdd(event, o) {
    const files = [...event.target.files];
    event.target.value = "";
    let added = 0;
    for (const file of files) {
      try {
        const blob = await T.photo.compress(file);
        const name = `photo-${Date.now()}-${added + 1}.jpg`;
        await T.sync.add("photo", o.id, { title: t("photo_title") }, [{ blob, name }]);
        added += 1;
      } catch (error) {
        document.getElementById("photo-error").textContent = t("photo_invalid", { name: file.name });
      }
    }
    await refreshOps();
    render();
    if (added) announce(t("photo_saved", { n: added }));
  }

  function notesSection(o) {
    return section(
      "s-notes",
      t("notes"),
      h(
        "form",
        { class: "fa-form", onsubmit: (event) => notesSubmit(event, o) },
        h("label", { for: "notes" }, t("notes_label")),
        h("textarea", { id: "notes", name: "notes", rows: "5", maxlength: "10000" }, o.report.notes || ""),
        o.report.notesPending ? h("p", { class: "fa-tag" }, t("not_sent")) : null,
        h("button", { type: "submit", class: "button fa-wide", id: "notes-save" }, t("notes_save")),
      ),
    );
  }

  async function notesSubmit(event, o) {
    event.preventDefault();
    await queue("compte_rendu", o.id, { notes: event.target.notes.value.trim() }, null, t("notes_saved"));
  }

  function signatureSection(o) {
    const signed = o.report.signed && S.signatureRedo !== o.id;
    return section(
      "s-signature",
      t("signature"),
      signed
        ? h(
            "div",
            {},
            h(
              "p",
              { id: "signature-done" },
              t("signed_by", { name: o.report.signed_by_name }),
              o.report.signaturePending ? h("span", { class: "fa-tag" }, t("not_sent")) : null,
            ),
            h(
              "button",
              {
                type: "button",
                class: "button button--secondary",
                onclick: () => {
                  S.signatureRedo = o.id;
                  render();
                },
              },
              t("signature_redo"),
            ),
          )
        : h(
            "form",
            { class: "fa-form", onsubmit: (event) => signatureSubmit(event, o) },
            h("label", { for: "signature-name" }, t("signature_name")),
            h("input", {
              type: "text",
              id: "signature-name",
              name: "name",
              autocomplete: "off",
              value: o.report.signed_by_name || "",
              required: true,
            }),
            h("p", { class: "fa-muted", id: "signature-help" }, t("signature_help")),
            h("canvas", {
              id: "signature-pad",
              class: "fa-signature",
              width: "600",
              height: "240",
              role: "img",
              "aria-label": t("signature_area"),
              "aria-describedby": "signature-help",
            }),
            h("p", { class: "fa-error", id: "signature-error", role: "alert" }),
            h(
              "p",
              { class: "fa-actions" },
              h(
                "button",
                { type: "button", class: "button button--secondary", onclick: () => S.signing && S.signing.clear() },
                t("signature_clear"),
              ),
              h("button", { type: "submit", class: "button", id: "signature-save" }, t("signature_save")),
            ),
          ),
    );
  }

  async function signatureSubmit(event, o) {
    event.preventDefault();
    const name = event.target.name.value.trim();
    const error = document.getElementById("signature-error");
    if (!name) {
      error.textContent = t("signature_name_missing");
      event.target.name.focus();
      return;
    }
    if (!S.signing || S.signing.isEmpty()) {
      error.textContent = t("signature_empty");
      return;
    }
    S.signatureRedo = null;
    await queue(
      "signature",
      o.id,
      { signed_by_name: name, image: S.signing.toDataURL() },
      null,
      t("signature_saved", { name }),
    );
  }

  function finishSection(o, closed) {
    if (closed)
      return section(
        "s-finish",
        t("finish"),
        h(
          "p",
          { class: "fa-done", id: "finish-state" },
          t("finished"),
          o.statusPending ? h("span", { class: "fa-tag" }, t("not_sent")) : null,
        ),
      );
    const confirming = S.confirmDone === o.id;
    return section(
      "s-finish",
      t("finish"),
      o.status === "suspendu" ? h("p", { class: "fa-muted" }, t("suspended_now")) : null,
      o.status === "suspendu"
        ? h(
            "p",
            { class: "fa-actions" },
            h(
              "button",
              {
                type: "button",
                class: "button button--secondary fa-wide",
                onclick: () => queue("statut", o.id, { to: "en_cours" }, null, t("resumed")),
              },
              t("resume"),
            ),
          )
        : null,
      confirming
        ? h(
            "div",
            { class: "fa-confirm", role: "group", "aria-labelledby": "confirm-q" },
            h("p", { id: "confirm-q" }, t("finish_confirm")),
            h(
              "p",
              { class: "fa-actions" },
              h(
                "button",
                { type: "button", class: "button fa-wide", id: "finish-yes", onclick: () => finish(o) },
                t("finish_yes"),
              ),
              h(
                "button",
                {
                  type: "button",
                  class: "button button--secondary",
                  onclick: () => {
                    S.confirmDone = null;
                    render();
                  },
                },
                t("cancel"),
              ),
            ),
          )
        : h(
            "p",
            { class: "fa-actions" },
            h(
              "button",
              {
                type: "button",
                class: "button fa-wide fa-finish",
                id: "finish",
                onclick: () => {
                  S.confirmDone = o.id;
                  render();
                  document.getElementById("finish-yes").focus();
                },
              },
              t("finish_button"),
            ),
          ),
      o.status !== "suspendu"
        ? h(
            "form",
            { class: "fa-form", onsubmit: (event) => suspend(event, o) },
            h("h3", {}, t("suspend_title")),
            h("label", { for: "suspend-reason" }, t("suspend_reason")),
            h(
              "select",
              { id: "suspend-reason", name: "reason", required: true },
              h("option", { value: "" }, t("choose")),
              config.suspension_reasons.map(([value, label]) => h("option", { value }, label)),
            ),
            h("label", { for: "suspend-note" }, t("suspend_note")),
            h("input", { type: "text", id: "suspend-note", name: "note", maxlength: "300" }),
            h("button", { type: "submit", class: "button button--secondary fa-wide" }, t("suspend")),
          )
        : null,
    );
  }

  async function finish(o) {
    S.confirmDone = null;
    const timer = S.timers[o.id];
    const ms = elapsed(timer);
    if (timer && ms >= 60000) {
      const hours = (Math.round((ms / 3600000) * 100) / 100).toFixed(2);
      await T.sync.add("temps", o.id, { date: today(), hours });
    }
    if (timer) await setTimer(o.id, null);
    await queue("statut", o.id, { to: "termine" }, null, t("finished_saved"));
    const state = document.getElementById("finish-state");
    if (state) state.focus();
  }

  async function suspend(event, o) {
    event.preventDefault();
    const reason = event.target.reason.value;
    if (!reason) return;
    await queue(
      "statut",
      o.id,
      { to: "suspendu", suspension_reason: reason, reason: event.target.note.value.trim() },
      null,
      t("suspended_saved"),
    );
  }

  // --- « Signaler autre chose » ------------------------------------------------------------------

  function viewReport(orderId) {
    const order = orderId && S.data.orders.find((o) => o.id === orderId);
    const back = order ? `#/bon/${order.id}` : "#/";
    return h(
      "div",
      {},
      h(
        "p",
        { class: "fa-back" },
        h("a", { href: back }, order ? t("back_order", { ref: order.reference }) : t("back")),
      ),
      h("h1", { tabindex: "-1" }, t("report_title")),
      h("p", { class: "fa-muted" }, t("report_help")),
      h(
        "form",
        { class: "fa-form", id: "report-form", onsubmit: (event) => reportSubmit(event, order, back) },
        h("label", { for: "report-description" }, t("report_description")),
        h("textarea", { id: "report-description", name: "description", rows: "5", required: true, maxlength: "4000" }),
        h(
          "fieldset",
          { class: "fa-choices" },
          h("legend", {}, t("urgency")),
          config.urgencies.map(([value, label]) =>
            h(
              "p",
              {},
              h("input", {
                type: "radio",
                name: "urgency",
                id: `urgency-${value}`,
                value,
                checked: value === "normale",
              }),
              h("label", { for: `urgency-${value}` }, label),
            ),
          ),
        ),
        order && order.place.building_id
          ? h(
              "p",
              {},
              h("input", { type: "checkbox", id: "report-here", name: "here", checked: true }),
              h("label", { for: "report-here" }, t("report_same_place", { place: order.place.building })),
            )
          : null,
        h("label", { for: "report-location" }, t("report_location")),
        h("input", { type: "text", id: "report-location", name: "location", maxlength: "200" }),
        h(
          "p",
          { class: "fa-actions" },
          h(
            "button",
            { type: "button", class: "button button--secondary", id: "report-gps", onclick: locate },
            t("report_gps"),
          ),
        ),
        h("p", { id: "report-gps-state", class: "fa-muted", "aria-live": "polite" }),
        h(
          "p",
          { class: "fa-actions" },
          h("input", {
            type: "file",
            id: "report-photos",
            class: "fa-file-input",
            name: "photos",
            accept: "image/*",
            capture: "environment",
            multiple: true,
            "aria-describedby": "report-photos-state",
            onchange: (event) => {
              const n = event.target.files.length;
              document.getElementById("report-photos-state").textContent = n ? t("photos_chosen", { n }) : "";
            },
          }),
          h(
            "label",
            { class: "button button--secondary fa-file fa-file--secondary", for: "report-photos" },
            t("report_photos"),
          ),
        ),
        h("p", { id: "report-photos-state", class: "fa-muted", "aria-live": "polite" }),
        h("p", { class: "fa-error", id: "report-error", role: "alert" }),
        h("button", { type: "submit", class: "button fa-wide", id: "report-save" }, t("report_save")),
      ),
    );
  }

  let position = null;
  function locate() {
    const state = document.getElementById("report-gps-state");
    if (!navigator.geolocation) {
      state.textContent = t("gps_unavailable");
      return;
    }
    state.textContent = t("gps_searching");
    navigator.geolocation.getCurrentPosition(
      (found) => {
        position = found.coords;
        state.textContent = t("gps_found", { accuracy: Math.round(found.coords.accuracy) });
      },
      () => (state.textContent = t("gps_unavailable")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  async function reportSubmit(event, order, back) {
    event.preventDefault();
    const form = event.target;
    const error = document.getElementById("report-error");
    const description = form.description.value.trim();
    const here = order && form.here && form.here.checked;
    const location = form.location.value.trim();
    if (!description) {
      error.textContent = t("report_description_missing");
      form.description.focus();
      return;
    }
    if (!here && !location && !position) {
      error.textContent = t("report_place_missing");
      form.location.focus();
      return;
    }
    const files = [];
    for (const file of [...form.photos.files].slice(0, 6)) {
      try {
        files.push({ blob: await T.photo.compress(file), name: `signalement-${files.length + 1}.jpg` });
      } catch (err) {
        error.textContent = t("photo_invalid", { name: file.name });
        return;
      }
    }
    const payload = {
      description,
      urgency: form.urgency.value || "normale",
      building: here ? order.place.building_id : "",
      equipment: here && order.equipment ? order.equipment.id : "",
      location_text: location,
      latitude: position ? position.latitude.toFixed(6) : "",
      longitude: position ? position.longitude.toFixed(6) : "",
      accuracy: position ? String(Math.round(position.accuracy)) : "",
    };
    position = null;
    await T.sync.add("signalement", null, payload, files);
    await refreshOps();
    goTo(back);
    announce(t("report_saved"));
  }

  // --- Sign out: forget everything but the unsent queue --------------------------------------------

  async function logout() {
    if (!navigator.onLine) {
      announce(t("logout_offline"));
      document.getElementById("fa-logout-state").textContent = t("logout_offline");
      return;
    }
    if (Object.values(S.timers).some((timer) => timer.running) && !window.confirm(t("logout_timer"))) return;
    for (const op of await T.sync.all()) {
      if (op.state !== "pending") await T.db.delOp(op.id);
    }
    await T.db.clear("kv");
    if (window.caches) {
      await caches.delete(config.data_cache);
    }
    const form = h(
      "form",
      { method: "post", action: config.urls.logout, hidden: true },
      h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: T.sync.csrfToken() }),
    );
    document.body.append(form);
    form.submit();
  }

  // --- Start ---------------------------------------------------------------------------------------

  async function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.urls.sw, { scope: config.urls.scope }).catch(() => {});
    }
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage
        .persisted()
        .then((persisted) => persisted || navigator.storage.persist())
        .catch(() => {});
    }
    const worker = navigator.serviceWorker;
    const controlled = Boolean(worker && worker.controller);
    // The first visit loads the data before the service worker is in charge: load it again through
    // it once it is, so that a copy is kept for the basement.
    let throughWorker = null;
    const offlineReady = () => {
      S.offlineReady = true;
      document.documentElement.dataset.offline = "ready";
      renderStatus();
    };
    const reloadThroughWorker = () => {
      throughWorker =
        throughWorker ||
        loadData().then((ok) => {
          if (ok) {
            offlineReady();
            render();
          }
        });
      return throughWorker;
    };
    const copied = () => S.copied.has(config.urls.bootstrap) && S.copied.has(config.urls.catalogue);
    const whenControlled = () => (copied() ? offlineReady() : reloadThroughWorker());
    if (worker && !controlled)
      worker.addEventListener("controllerchange", () => S.data && whenControlled(), { once: true });
    if (!(await loadData())) {
      const waiting = (await T.sync.all()).filter((op) => op.state === "pending").length;
      main.replaceChildren(
        ...[
          h("h1", { tabindex: "-1" }, t("my_work")),
          h("p", { class: "fa-error" }, S.loginNeeded ? t("login_first") : t("no_data")),
          waiting
            ? h("p", { class: "fa-pending" }, t(waiting === 1 ? "pending_one" : "pending_many", { n: waiting }))
            : null,
          S.loginNeeded ? h("p", {}, h("a", { class: "button", href: config.urls.login }, t("login_again"))) : null,
        ].filter(Boolean),
      );
      return;
    }
    if (controlled) offlineReady();
    else if (worker && worker.controller) whenControlled();
    await T.sync.start(S.data.user.id, config.urls);
    await loadTimers();
    await refreshOps();
    renderStatus();
    T.sync.onChange(async () => {
      await refreshOps();
      renderStatus();
      renderAlerts();
    });
    T.onSynced = async () => {
      await loadData();
      await refreshOps();
      renderAlerts();
      renderStatus();
      if (typing()) S.renderLater = true;
      else render();
    };
    // A fresh copy arrived while a field was being typed in: redraw once the field is left.
    document.addEventListener("focusout", () =>
      setTimeout(() => {
        if (S.renderLater && !typing()) {
          S.renderLater = false;
          render();
        }
      }, 0),
    );
    window.addEventListener("online", renderStatus);
    window.addEventListener("offline", renderStatus);
    window.addEventListener("hashchange", () => {
      S.confirmDone = null;
      render();
      const title = main.querySelector("h1");
      if (title) title.focus();
      window.scrollTo(0, 0);
    });
    render();
    document.documentElement.dataset.ready = "true";
  }

  start();
})();
