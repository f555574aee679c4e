#!/usr/bin/env node
// The cloud-licensing command; its code is built to dist/ by `npm ci` (the root prepare script) and `npm test`.
import('../dist/main.js');
