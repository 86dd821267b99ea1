#!/usr/bin/env node
// The npm bin (npx stockstream): a committed, executable file rather than the
// compiled one, which a rebuild recreates without the executable bit npm gave it.
import '../dist/src/stockstream.js';
