// The bearer token lives in this module's memory only: never in localStorage or sessionStorage, so a
// script injected into another page of the origin cannot read it back after a reload.
type Listener = (token: string | null) => void;

let current: string | null = null;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  return current;
}

export function setToken(token: string | null): void {
  current = token;
  listeners.forEach((listener) => listener(token));
}

export function subscribeToken(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
