// Patrimoine terrain — local storage in IndexedDB: the queue of operations waiting to be sent (with
// the photos as Blobs), and small values (timers, last sync, who was signed in).
"use strict";
(() => {
  const T = (window.Terrain = window.Terrain || {});
  const NAME = "patrimoine-terrain";
  const VERSION = 1;
  let opening = null;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = indexedDB.open(NAME, VERSION);
        req.onupgradeneeded = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("ops")) db.createObjectStore("ops", { keyPath: "id" });
          if (!db.objectStoreNames.contains("blobs")) db.createObjectStore("blobs", { keyPath: "id" });
          if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv", { keyPath: "key" });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return opening;
  }

  async function tx(stores, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode);
      let result;
      Promise.resolve(work(t)).then((value) => (result = value), reject);
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error("transaction aborted"));
    });
  }

  T.db = {
    put: (store, value) => tx([store], "readwrite", (t) => request(t.objectStore(store).put(value))),
    get: (store, key) => tx([store], "readonly", (t) => request(t.objectStore(store).get(key))),
    all: (store) => tx([store], "readonly", (t) => request(t.objectStore(store).getAll())),
    del: (store, key) => tx([store], "readwrite", (t) => request(t.objectStore(store).delete(key))),
    clear: (store) => tx([store], "readwrite", (t) => request(t.objectStore(store).clear())),

    // An operation and its photos ([{blob, name}]) are written in one transaction: never one without the other.
    putOp: (op, files) =>
      tx(["ops", "blobs"], "readwrite", (t) => {
        t.objectStore("ops").put(op);
        if (files) t.objectStore("blobs").put({ id: op.id, files });
      }),
    delOp: (id) =>
      tx(["ops", "blobs"], "readwrite", (t) => {
        t.objectStore("ops").delete(id);
        t.objectStore("blobs").delete(id);
      }),

    kvGet: async (key, fallback = null) => {
      const row = await T.db.get("kv", key);
      return row ? row.value : fallback;
    },
    kvSet: (key, value) => T.db.put("kv", { key, value }),
    kvDel: (key) => T.db.del("kv", key),
  };
})();
