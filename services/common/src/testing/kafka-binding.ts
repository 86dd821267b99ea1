// The native Kafka client as the tests need it besides the installed one: a
// copy that compiles on its own (to build it with a patch that does not
// compile, or without the patches) and processes that load such a copy
// instead of the installed client. Never used by service code.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultSchemasDir } from '../serde/schema-files.js';

const require = createRequire(import.meta.url);

/** The installed client's folder (node_modules/@confluentinc/kafka-javascript). */
export const installedBindingDir = dirname(require.resolve('@confluentinc/kafka-javascript/package.json'));

/** scripts/kafka-binding/build.mjs: patches and builds the client, falling back to its own sources. */
export const bindingBuildScript = join(dirname(defaultSchemasDir()), 'scripts', 'kafka-binding', 'build.mjs');

/** The native module a client folder loads. */
export function nativeModuleFile(bindingDir: string): string {
  return join(bindingDir, 'build', 'Release', 'confluent-kafka-javascript.node');
}

/** What scripts/kafka-binding/build.mjs recorded of the installed client's last build: null when it never ran (a prebuilt client). */
export function bindingBuildState(bindingDir = installedBindingDir): { built: string; patchSet: string; log?: string } | null {
  const file = join(bindingDir, 'stockstream', 'state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { built: string; patchSet: string; log?: string }) : null;
}

export interface BindingCopy {
  /** The copy's folder, <root>/node_modules/@confluentinc/kafka-javascript. */
  dir: string;
  /** The folder holding its node_modules: a process resolving the client from here gets the copy. */
  root: string;
  /** Environment under which `npm run build` (build.mjs) compiles the copy. */
  buildEnv: Record<string, string>;
}

/**
 * A copy of the installed client under `root` that builds on its own: the
 * binding's sources, JavaScript and build files, librdkafka's headers and its
 * shared libraries as built at install, and the pristine sources build.mjs
 * saved. Configured to compile the binding only (BUILD_LIBRDKAFKA=0, headers
 * and libraries given in buildEnv): librdkafka's own build files name the
 * installed copy by absolute path, and rebuilding them from a copy would
 * install over the installed client. ~20 MB, a few seconds.
 */
export function copyBindingForBuild(root: string): BindingCopy {
  const src = installedBindingDir;
  const dir = join(root, 'node_modules', '@confluentinc', 'kafka-javascript');
  mkdirSync(join(dir, 'build', 'deps'), { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'lib', 'librdkafka.js', 'util', 'src', 'deps/librdkafka.gyp', 'stockstream/pristine']) {
    if (existsSync(join(src, entry))) cpSync(join(src, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  for (const sub of ['src', 'src-cpp']) {
    const from = join(src, 'deps', 'librdkafka', sub);
    mkdirSync(join(dir, 'deps', 'librdkafka', sub), { recursive: true });
    for (const h of readdirSync(from).filter((n) => n.endsWith('.h'))) cpSync(join(from, h), join(dir, 'deps', 'librdkafka', sub, h));
  }
  for (const lib of readdirSync(join(src, 'build', 'deps')).filter((n) => /^librdkafka(\+\+)?\.so/.test(n))) {
    cpSync(join(src, 'build', 'deps', lib), join(dir, 'build', 'deps', lib), { verbatimSymlinks: true });
  }
  // What its JavaScript requires from beside it (copied: the copy may outlive this node_modules), and nan's headers to build.
  const besides = (dep: string) => dirname(createRequire(join(src, 'package.json')).resolve(`${dep}/package.json`));
  for (const dep of ['bindings', 'file-uri-to-path']) cpSync(besides(dep), join(root, 'node_modules', dep), { recursive: true });
  if (!existsSync(join(root, 'node_modules', 'nan'))) symlinkSync(besides('nan'), join(root, 'node_modules', 'nan'));
  const buildEnv = {
    CXXFLAGS: `-I${join(dir, 'deps/librdkafka/src')} -I${join(dir, 'deps/librdkafka/src-cpp')}`,
    // $$: make's escape for $; single quotes keep the shell off $ORIGIN (as the client's own binding.gyp does).
    LDFLAGS: `-L${join(dir, 'build/deps')} -Wl,-rpath,'$$ORIGIN/../deps'`,
  };
  const r = spawnSync('npm', ['run', 'configure', '--silent'], { cwd: dir, env: { ...process.env, BUILD_LIBRDKAFKA: '0' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node-gyp configure of the client copy in ${dir} failed:\n${r.stdout}${r.stderr}`);
  return { dir, root, buildEnv };
}

/**
 * A build of the installed client's own sources (no patches), made once per
 * client version and Node ABI in the cache (STOCKSTREAM_CACHE, default
 * ~/.cache/stockstream): what a prebuilt client gives. Returns the folder
 * holding its node_modules, for unpatchedClientEnv.
 */
export function unpatchedClientRoot(): string {
  const version = (JSON.parse(readFileSync(join(installedBindingDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cache = process.env.STOCKSTREAM_CACHE || join(homedir(), '.cache', 'stockstream');
  const root = join(cache, 'kafka-client-unpatched', `${version}-node-abi${process.versions.modules}`);
  if (existsSync(nativeModuleFile(join(root, 'node_modules', '@confluentinc', 'kafka-javascript')))) return root;
  const building = `${root}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const copy = copyBindingForBuild(building);
  const r = spawnSync(process.execPath, [bindingBuildScript, copy.dir, '--unpatched'], { env: { ...process.env, ...copy.buildEnv }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the client unpatched in ${copy.dir} failed:\n${r.stdout}${r.stderr}`);
  rmSync(root, { recursive: true, force: true });
  renameSync(building, root);
  return root;
}

/**
 * Environment for a service process (runService) that makes it load the
 * client from `root`'s node_modules instead of the installed one: an import
 * hook (kafka-client-redirect.ts) preloaded through NODE_OPTIONS.
 */
export function unpatchedClientEnv(root: string): Record<string, string> {
  const preload = pathToFileURL(fileURLToPath(new URL('./kafka-client-redirect.js', import.meta.url))).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(), STOCKSTREAM_TEST_KAFKA_CLIENT_ROOT: root };
}
