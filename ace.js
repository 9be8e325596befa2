/*
 * Entrypoint for ace commands: TypeScript runs through ts-node-maintained in
 * development; the built app (build/ace.js) runs plain JavaScript.
 */
import 'ts-node-maintained/register/esm'

await import('./bin/console.js')
