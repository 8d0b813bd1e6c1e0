import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { openStore } from '../store/open-store.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply database migrations and exit')
    .addOption(new Option('--database-url <url>', 'sqlite:<path> or postgres://… [env HERALD_DATABASE_URL]'))
    .action(async (flags: { databaseUrl?: string }) => {
      const config = loadConfig(flags);
      const store = await openStore(config.databaseUrl);
      try {
        await store.migrate();
        process.stdout.write(`migrations applied to ${config.databaseUrl.split(':')[0]} store\n`);
      } finally {
        await store.close();
      }
    });
}
