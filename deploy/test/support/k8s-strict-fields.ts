// Fields the API does not know. The models' JSON schemas (`.validate()`)
// check types, enums and required fields but let unknown fields through (the
// OpenAPI schemas have no additionalProperties: false), while `kubectl apply`
// asks the API server for strict field validation, which rejects them (a typo
// such as `readinessprobe` would pass validate() and fail at apply). The same
// packages ship a TypeScript interface per kind, and TypeScript's excess
// property check on object literals finds exactly those fields, at any depth:
// each rendered object becomes `const oN: I<Kind> = <its JSON>` in a program
// compiled in memory, and the compiler's diagnostics are the findings.
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { modelModule, type K8sObject, idOf } from './k8s-manifests.js';
import { REPO } from './compose-file.js';

/** "<kind>/<name>: <compiler message>" for each problem of each object; empty when all are clean. */
export function typeErrors(objects: K8sObject[]): string[] {
  const file = join(REPO, 'deploy', 'test', '__rendered-k8s-objects__.ts');
  const header: string[] = [];
  const aliases = new Map<string, string>();
  const body = objects.map((o, i) => {
    const module = modelModule(o);
    let alias = aliases.get(module);
    if (!alias) {
      alias = `T${aliases.size}`;
      aliases.set(module, alias);
      header.push(`import type { I${o.kind} as ${alias} } from '${module}';`);
    }
    return `export const o${i}: ${alias} = ${JSON.stringify(o)};`;
  });
  const text = [...header, ...body].join('\n') + '\n';
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === file ? ts.createSourceFile(name, text, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = ((readFile) => (name: string) => (name === file ? text : readFile(name)))(host.readFile.bind(host));
  const program = ts.createProgram({ rootNames: [file], options, host });
  const source = program.getSourceFile(file)!;
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line : -1;
    const i = line - header.length;
    const where = i >= 0 && i < objects.length ? idOf(objects[i]!) : `line ${line + 1} of the generated program (imports; under ${dirname(file)})`;
    return `${where}: ${message}`;
  });
}
