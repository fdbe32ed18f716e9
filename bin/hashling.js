#!/usr/bin/env node
// The one `hashling` entry point. The sources are TypeScript run through tsx's
// loader, registered here so the bin works from any working directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
