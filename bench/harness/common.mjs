// Shared plumbing for the benchmark scripts in bench/: argument parsing, the backends and modes to run,
// and the one output format every script prints (DESIGN.md §6, STYLE.md habit 7).
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Parses the options every benchmark script takes:
 *   --json            print one JSON object per line
 *   --backend NAME    only this backend (default: every usable one)
 *   --mode MODE       only this run mode
 *   --scale X         multiply workload sizes (e.g. 0.01 for a smoke run); default 1
 */
export function benchArgs(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      mode: { type: 'string' },
      scale: { type: 'string' },
      side: { type: 'string' },
      filter: { type: 'string' },
    },
  });
  return {
    json: Boolean(values.json),
    backend: values.backend,
    mode: values.mode,
    scale: values.scale ? Number(values.scale) : 1,
    side: values.side,
    filter: values.filter,
  };
}

/** The (backend, mode) pairs to run: every usable backend and each mode it supports, narrowed by the args. */
export async function targets(args) {
  const { report } = await import('@xev/core');
  const pairs = [];
  for (const c of report().candidates) {
    if (c.status !== 'usable') continue;
    if (args.backend && c.name !== args.backend) continue;
    for (const mode of c.modes) if (!args.mode || mode === args.mode) pairs.push({ backend: c.name, mode });
  }
  return pairs;
}

/**
 * Builds one result line. `better` says which direction wins for the unit, so that `ratio` > 1 always
 * means xev is better: xev/node for rates, node/xev for costs.
 */
export function result({ name, backend, mode, unit, better = 'higher', xev, node, c, extra = {} }) {
  const ratioOf = (a, b) => (a > 0 && b > 0 ? round(better === 'higher' ? a / b : b / a) : null);
  const line = { name, backend, mode, unit, xev: round(xev), node: node === undefined ? null : round(node), ratio: node === undefined ? null : ratioOf(xev, node) };
  if (c !== undefined) Object.assign(line, { c: round(c), ratio_c: ratioOf(xev, c) });
  return Object.assign(line, extra);
}

function round(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x;
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000;
}

/** Prints a result as JSON or as a readable line. */
export function emit(args, line) {
  if (args.json) {
    console.log(JSON.stringify(line));
    return;
  }
  const parts = [`${line.name} [${line.backend}/${line.mode}]`, `xev ${fmt(line.xev)} ${line.unit}`];
  if (line.node !== null) parts.push(`node ${fmt(line.node)}`, `ratio ${line.ratio}x`);
  if (line.c !== undefined) parts.push(`C ${fmt(line.c)}`, `xev/C ${line.ratio_c}`);
  for (const [k, v] of Object.entries(line)) {
    if (!['name', 'backend', 'mode', 'unit', 'xev', 'node', 'ratio', 'c', 'ratio_c'].includes(k)) parts.push(`${k} ${typeof v === 'number' ? fmt(v) : v}`);
  }
  console.log(parts.join('  '));
}

function fmt(x) {
  return typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(x);
}

/**
 * Runs this same script in a fresh process with `--side SIDE` (and extra args) and returns the JSON it
 * printed last. Each side gets a process of its own, so one side's heap never skews the other's memory
 * figures or JIT state.
 */
export function runSide(scriptUrl, side, extraArgs = [], nodeArgs = []) {
  const child = spawnSync(process.execPath, [...nodeArgs, fileURLToPath(scriptUrl), '--side', side, ...extraArgs], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${side} side failed (${child.status}):\n${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Asserts a benchmark's own result counts (a benchmark that did not do its work must not report). */
export function check(condition, message) {
  if (!condition) {
    console.error(`benchmark self-check failed: ${message}`);
    process.exit(1);
  }
}
