/**
 * What `npm pack` puts in the package is what a user installs: the launcher, the schema,
 * and the sources of every dependency given as a `file:` path (the packet-socket addon),
 * which npm builds from inside the installed package. Before this test the addon's
 * sources were left out, and an install from the tarball linked the optional dependency
 * to a folder that did not exist (live then said `drops n/a`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

/** Paths in the tarball, as `npm pack --dry-run` lists them (scripts off: `npm test` has built dist/ already). */
function packed(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [first] = JSON.parse(out) as { files: { path: string }[] }[];
  return new Set(first!.files.map((f) => f.path));
}

/** The files a folder's own package.json `files` names, expanded one level for folders. */
function filesOf(dir: string): string[] {
  const sub = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { files: string[] };
  const out = [posix.join(dir, 'package.json')];
  for (const f of sub.files) {
    const abs = join(ROOT, dir, f);
    if (statSync(abs).isDirectory()) {
      for (const name of execFileSync('git', ['ls-files', posix.join(dir, f)], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) out.push(name);
    } else out.push(posix.join(dir, f));
  }
  return out;
}

describe('npm package contents', () => {
  const files = packed();

  it('has the launcher with its Node flags, and the report schema', () => {
    for (const bin of Object.values(pkg.bin)) {
      const path = posix.normalize(bin);
      expect(files.has(path), path).toBe(true);
      expect(readFileSync(join(ROOT, path), 'utf8').split('\n')[0]).toMatch(/^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+ --heap-growing-percent=\d+$/);
    }
    expect(files.has('schema/report.schema.json')).toBe(true);
  });

  it('carries the sources of every file: dependency (npm builds them inside the installed package)', () => {
    const local = Object.entries({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter(([, spec]) => spec.startsWith('file:'));
    expect(local.map(([name]) => name)).toContain('smtpscope-packet-socket');
    for (const [, spec] of local) {
      const dir = posix.normalize(spec.slice('file:'.length));
      const needed = filesOf(dir);
      expect(needed.length).toBeGreaterThan(2);
      for (const f of needed) expect(files.has(f), `${f} (for ${spec})`).toBe(true);
    }
  });

  it('leaves out tests, fixtures and build leftovers', () => {
    for (const f of files) expect(f, f).toMatch(/^(dist\/|schema\/|native\/packet-socket\/(binding\.gyp|index\.js|package\.json|src\/)|package\.json$|README\.md$)/);
  });
});
