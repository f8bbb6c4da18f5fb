// Node.js entry point of `maskinporten/admin`: instantiates the admin module synchronously from
// the package's own file.
import { readFileSync } from 'node:fs';
import { initSync, setErrorClass } from '../../pkg/admin/maskinporten_admin.js';
import { MaskinportenError } from '../errors.js';

initSync({ module: readFileSync(new URL('../../pkg/admin/maskinporten_admin_bg.wasm', import.meta.url)) });
setErrorClass(MaskinportenError);

export * from './api.js';
