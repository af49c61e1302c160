// Patrimoine terrain — the queue and its sender. Every change made on the phone becomes an operation
// with a UUID generated here, stored in IndexedDB, then sent in order when the network allows it:
// on start, on every change, on the `online` event, when the app comes back to the screen and every
// minute while something waits. The server applies each UUID once, so sending again after a cut or a
// lost answer never duplicates anything.
"use strict";
(() => {
  const T = (window.Terrain = window.Terrain || {});
  const JSON_KINDS = ["temps", "materiel", "controle", "compte_rendu", "signature", "statut"];
  const BATCH = 50;
  const BACKOFF = [3, 10, 30, 60, 120];
  const TIMEOUT_MS = 120000;

  const state = {
    user: null,
    urls: {},
    running: false,
    again: false,
    failures: 0,
    error: null, // null | "network" | "login" | "server"
    retryTimer: null,
    listeners: [],
    lastSync: null,
  };

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function notify() {
    state.listeners.forEach((listener) => listener());
  }

  class SendError extends Error {
    constructor(kind, message) {
      super(message || kind);
      this.kind = kind;
    }
  }

  // The request on the way: abandoned when the phone loses the network (or after a long silence),
  // to be sent again whole, with the same UUID, when it comes back.
  let inFlight = null;
  window.addEventListener("offline", () => inFlight && inFlight.abort());

  async function post(url, body, json) {
    const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (json) headers["Content-Type"] = "application/json";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    inFlight = controller;
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body,
        headers,
        credentials: "same-origin",
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      throw new SendError("network");
    } finally {
      clearTimeout(timer);
      inFlight = null;
    }
    if (response.type === "opaqueredirect" || response.status === 401) throw new SendError("login");
    const isJson = (response.headers.get("Content-Type") || "").includes("json");
    if (response.status === 403 && !isJson) throw new SendError("login"); // CSRF cookie gone with the session
    if (!isJson) throw new SendError("server");
    const data = await response.json();
    if (response.status >= 500) throw new SendError("server");
    if (!response.ok && !data.results && !data.status) throw new SendError("server", data.message);
    return data;
  }

  async function allOps() {
    const ops = await T.db.all("ops");
    return ops.sort((a, b) => a.createdAt - b.createdAt || (a.seq || 0) - (b.seq || 0));
  }

  async function settle(ops, answers) {
    const byId = new Map((answers || []).map((answer) => [answer.id, answer]));
    const now = Date.now();
    for (const op of ops) {
      const answer = byId.get(op.id);
      if (!answer) continue;
      op.ackAt = now;
      op.message = answer.message || "";
      op.result = answer.result || {};
      if (answer.status === "applique") op.state = "sent";
      else if (answer.status === "conflit") op.state = "conflict";
      else op.state = "refused";
      await T.db.put("ops", op);
      if (op.state !== "sent") await T.db.del("blobs", op.id);
    }
  }

  function wire(op) {
    return Object.assign({ id: op.id, type: op.type, order: op.order }, op.payload);
  }

  async function sendUpload(op) {
    const stored = await T.db.get("blobs", op.id);
    const form = new FormData();
    form.append("id", op.id);
    Object.entries(op.payload || {}).forEach(([key, value]) => {
      if (value !== null && value !== undefined && value !== "") form.append(key, value);
    });
    if (op.type === "photo") {
      form.append("order", op.order);
      if (stored) form.append("file", stored.files[0].blob, stored.files[0].name);
      return post(state.urls.photo, form, false);
    }
    (stored ? stored.files : []).forEach((file) => form.append("photos", file.blob, file.name));
    return post(state.urls.problem, form, false);
  }

  async function run() {
    if (!state.user) return;
    if (!navigator.onLine) {
      // Known to be offline: no attempt (and no growing back-off); the `online` event restarts.
      notify();
      return;
    }
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    clearTimeout(state.retryTimer);
    notify();
    try {
      const ops = (await allOps()).filter((op) => op.user === state.user && op.state === "pending");
      let index = 0;
      while (index < ops.length) {
        if (JSON_KINDS.includes(ops[index].type)) {
          const batch = [];
          while (index < ops.length && JSON_KINDS.includes(ops[index].type) && batch.length < BATCH) {
            batch.push(ops[index]);
            index += 1;
          }
          const data = await post(state.urls.sync, JSON.stringify({ operations: batch.map(wire) }), true);
          await settle(batch, data.results);
        } else {
          const op = ops[index];
          const answer = await sendUpload(op);
          await settle([op], [answer]);
          index += 1;
        }
        notify();
      }
      state.failures = 0;
      state.error = null;
      state.lastSync = Date.now();
      await T.db.kvSet(`lastSync:${state.user}`, state.lastSync);
      if (ops.length && T.onSynced) await T.onSynced();
    } catch (error) {
      state.error = error.kind || "network";
      if (navigator.onLine) state.failures += 1;
      if (state.error !== "login" && navigator.onLine) {
        const delay = BACKOFF[Math.min(state.failures - 1, BACKOFF.length - 1)];
        state.retryTimer = setTimeout(run, delay * 1000);
      }
    } finally {
      state.running = false;
      notify();
      if (state.again) {
        state.again = false;
        setTimeout(run, 0);
      }
    }
  }

  let seq = 0;
  T.sync = {
    uuid,
    csrfToken,
    state,
    JSON_KINDS,
    async start(user, urls) {
      state.user = user;
      state.urls = urls;
      state.lastSync = await T.db.kvGet(`lastSync:${user}`, null);
      window.addEventListener("online", () => {
        state.failures = 0; // a new chance: retry soon, not after the long back-off of the offline hours
        run();
      });
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") run();
      });
      setInterval(async () => {
        if ((await T.sync.pendingCount()) > 0) run();
      }, 60000);
      run();
    },
    run,
    onChange(listener) {
      state.listeners.push(listener);
    },
    // Queue a change. `files` (photos) are stored with it in the same IndexedDB transaction.
    async add(type, order, payload, files) {
      seq += 1;
      const op = { id: uuid(), type, order, payload, user: state.user, createdAt: Date.now(), seq, state: "pending" };
      await T.db.putOp(op, files && files.length ? files : null);
      notify();
      setTimeout(run, 50);
      return op;
    },
    all: allOps,
    async mine() {
      return (await allOps()).filter((op) => op.user === state.user);
    },
    async pendingCount() {
      return (await allOps()).filter((op) => op.user === state.user && op.state === "pending").length;
    },
    // Sent operations are forgotten once a copy of the data fetched after their acknowledgement shows them.
    async purge(fetchedAt) {
      for (const op of await allOps()) {
        if (op.user === state.user && op.state === "sent" && op.ackAt && op.ackAt < fetchedAt) await T.db.delOp(op.id);
      }
    },
  };
})();
