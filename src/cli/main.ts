import { Command } from 'commander';
import { HERALD_VERSION } from '../domain/tenant.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';

const program = new Command()
  .name('herald')
  .description('Self-hosted webhook delivery: sign, send, retry, log.')
  .version(HERALD_VERSION);

program.addCommand(serveCommand('serve', 'Serve the API and dashboard and run delivery workers'));
program.addCommand(serveCommand('worker', 'Run delivery workers only (no API)'));
program.addCommand(migrateCommand());

await program.parseAsync(process.argv);
