import { readFileSync } from 'node:fs';
import { fromPackageRoot } from './paths.js';

const pkg = JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as {
  version: string;
};
export const appVersion = pkg.version;
