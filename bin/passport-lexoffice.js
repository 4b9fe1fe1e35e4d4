#!/usr/bin/env node
'use strict'
// The `passport-lexoffice` command (refresh, status); see `passport-lexoffice --help`.
require('../dist/cli/main.js').run()
