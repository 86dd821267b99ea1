// Stopping and starting one component of the local stack (deploy/local/stack.sh),
// without blocking the event loop: the supervisor keeps restarting services
// meanwhile. stack.sh reads the ports from the environment, so the stack
// controlled is the one the environment's KAFKA_PORT etc. describe.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultSchemasDir } from '@stockstream/common/schema-files';
import type { Component } from './fault-schedule.js';

export const STACK_SCRIPT = join(dirname(defaultSchemasDir()), 'deploy', 'local', 'stack.sh');

function run(args: string[]): Promise<void> {
  // A component restarted on a loaded machine can take minutes to answer (readiness is a real request).
  const env = { ...process.env, STACK_START_TIMEOUT: process.env.STACK_START_TIMEOUT ?? '300' };
  return new Promise((resolve, reject) =>
    execFile(STACK_SCRIPT, args, { timeout: 600_000, env }, (err, stdout, stderr) =>
      err ? reject(new Error(`stack.sh ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    ),
  );
}

export const stack = {
  available: (): string | false =>
    process.env.STOCKSTREAM_EXTERNAL_STACK === '1'
      ? 'STOCKSTREAM_EXTERNAL_STACK=1: the components of an external cluster cannot be stopped from here'
      : existsSync(STACK_SCRIPT) ? false : `${STACK_SCRIPT} not found`,
  down: (c: Component) => run(['down', c]),
  up: (c: Component) => run(['up', c]),
};
