// Builds a temporary consumer project around the packed tarball, installable offline: its lockfile is derived from gradlab's own.
//
// `npm install --offline` needs the registry's metadata for every package it resolves, and `npm ci` (all a clean
// checkout has run) caches only tarballs. A lockfile that pins every package the consumer needs, copied from
// gradlab's package-lock.json (the same versions gradlab was tested with), lets npm install from the tarball cache alone.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** Where node resolves `name` from the package at `from` (a lockfile path such as `node_modules/a`): nearest node_modules up the tree. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/** Every lockfile path reachable from the root's `roots` dependencies (dependencies, optional ones, required peers). */
function reachable(packages: Record<string, LockEntry>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue: [string, string][] = roots.map((name) => ['', name]);
  while (queue.length > 0) {
    const [from, name] = queue.pop()!;
    const path = locate(packages, from, name);
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path];
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => entry.peerDependenciesMeta?.[p]?.optional !== true);
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers]) queue.push([path, dep]);
  }
  return seen;
}

/**
 * Writes package.json and package-lock.json for a consumer of `tarball` (a file name inside `dir`) that also has
 * `devTools` (for example typescript and vitest) at the versions gradlab's own lockfile has.
 */
export function writeConsumerManifest(dir: string, tarball: string, repoRoot: string, devTools: readonly string[]): void {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as LockEntry & { name: string };
  const packages = lock.packages;
  const devDependencies = Object.fromEntries(devTools.map((name) => [name, packages[`node_modules/${name}`]!.version!]));
  const root = { name: 'gradlab-consumer', version: '1.0.0', private: true, type: 'module', dependencies: { gradlab: `file:${tarball}` }, devDependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(root, null, 2)}\n`);

  const integrity = `sha512-${createHash('sha512').update(readFileSync(join(dir, tarball))).digest('base64')}`;
  const gradlab: LockEntry = {
    version: manifest.version!,
    resolved: `file:${tarball}`,
    integrity,
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
    bin: manifest.bin,
    engines: manifest.engines,
  };
  const entries: Record<string, LockEntry> = {
    '': { name: root.name, version: root.version, dependencies: root.dependencies, devDependencies },
    'node_modules/gradlab': gradlab,
  };
  const needed = reachable(packages, [...Object.keys(manifest.dependencies ?? {}), ...devTools]);
  for (const path of [...needed].sort()) {
    // Flags describe the place in gradlab's tree (dev, optional); npm recomputes them for the consumer.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[path]!;
    entries[path] = entry;
  }
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: entries }, null, 2)}\n`);
}
