import { Command } from 'commander';
import { HERALD_VERSION } from '../domain/tenant.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { rekeyCommand } from './rekey.js';
import { listenCommand } from './listen.js';
import { deliveriesCommand, endpointsCommand, tenantsCommand, triggerCommand } from './tooling.js';

const program = new Command()
  .name('herald')
  .description('Self-hosted webhook delivery: sign, send, retry, log.')
  .version(HERALD_VERSION);

program.addCommand(serveCommand('serve', 'Serve the API and dashboard and run delivery workers'));
program.addCommand(serveCommand('worker', 'Run delivery workers only (no API)'));
program.addCommand(migrateCommand());
program.addCommand(rekeyCommand());
program.addCommand(listenCommand());
program.addCommand(triggerCommand());
program.addCommand(tenantsCommand());
program.addCommand(endpointsCommand());
program.addCommand(deliveriesCommand());

await program.parseAsync(process.argv);
