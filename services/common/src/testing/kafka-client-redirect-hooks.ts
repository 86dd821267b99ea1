// Module resolution hooks (node:module register) of kafka-client-redirect.ts:
// @confluentinc/kafka-javascript, and only it, is resolved as if imported
// from a file in another folder, whose node_modules then supplies it.
import type { InitializeHook, ResolveHook } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CLIENT = '@confluentinc/kafka-javascript';
let importer = '';

export const initialize: InitializeHook<{ root: string }> = (data) => {
  importer = pathToFileURL(join(data.root, 'importer.js')).href;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  specifier === CLIENT || specifier.startsWith(`${CLIENT}/`) ? nextResolve(specifier, { ...context, parentURL: importer }) : nextResolve(specifier, context);
