#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
// It calls the entry point explicitly: behind node_modules/.bin symlinks, npx, npm exec or npm link,
// process.argv[1] is not the CLI module, so the module cannot tell on its own that it should run.
import { main } from '../dist/cli.js';

await main();
