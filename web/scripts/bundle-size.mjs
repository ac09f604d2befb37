// Prints the gzipped JavaScript a first visit to each route loads: the entry (shared by every route) plus
// the route's lazily loaded page chunk and the chunks it imports statically. Run `npm run build` first
// (it writes dist/.vite/manifest.json, the import graph this reads).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** Every JS file `key` needs before it runs: itself and its static imports, transitively. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(imported, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const initial = closure(entryKey);
const initialBytes = [...initial].reduce((sum, f) => sum + gz(f), 0);
console.log(`entry (every route): ${kb(initialBytes)} gzipped`);
console.log("first visit per route, gzipped JavaScript (entry + route chunks):");
let worst = 0;
for (const key of Object.keys(manifest).filter((k) => /^src\/pages\/[^/]+\/(index|Callback)\.tsx$/.test(k)).sort()) {
  const own = [...closure(key)].filter((f) => !initial.has(f));
  const routeBytes = own.reduce((sum, f) => sum + gz(f), 0);
  worst = Math.max(worst, initialBytes + routeBytes);
  const name = key.replace(/^src\/pages\//, "").replace(/(\/index)?\.tsx$/, "");
  console.log(`  ${name.padEnd(18)} ${kb(initialBytes + routeBytes).padStart(9)}  (route chunks ${kb(routeBytes)})`);
}
console.log(`largest first visit: ${kb(worst)} (goal ≤ 250 kB)`);
