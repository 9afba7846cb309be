// SPDX-License-Identifier: EUPL-1.2
// The few IndexedDB helpers the outbox and the track recorder share.

// A request's result as a promise.
export function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Opens the database (version 1); createStores(db) makes its stores the first time.
export function openDatabase(name, createStores) {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => createStores(request.result);
  return promised(request);
}

// Settles when the transaction has committed, or failed.
export function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}
