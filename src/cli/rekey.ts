import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { loadKeys } from '../keys/load-keys.js';
import { rekeyStore, upgradeSealedValues } from '../keys/reseal-store.js';
import { openStore } from '../store/open-store.js';

/**
 * `herald rekey`: reseals every sealed value with the first of HERALD_ENCRYPTION_KEY's keys.
 * Rotation: put the new key first and keep the old one after it, restart every process,
 * run this, then drop the old key. Safe to interrupt and run again.
 */
export function rekeyCommand(): Command {
  return new Command('rekey')
    .description('Reseal every stored secret with the first HERALD_ENCRYPTION_KEY key (safe to interrupt and repeat)')
    .addOption(new Option('--database-url <url>', 'sqlite:<path> or postgres://… [env HERALD_DATABASE_URL]'))
    .addOption(new Option('--encryption-key <keys>', 'base64 keys, comma-separated, new first; default on SQLite: <database>.key [env HERALD_ENCRYPTION_KEY]'))
    .action(async (flags: { databaseUrl?: string; encryptionKey?: string }) => {
      const config = loadConfig(flags);
      const store = await openStore(config.databaseUrl);
      try {
        const keys = await loadKeys(store, config.databaseUrl, config.encryptionKey);
        // A database no `serve` of this release has opened yet gets its upgrade first.
        await upgradeSealedValues(store, keys.box);
        const report = await rekeyStore(store, keys.box);
        process.stdout.write(`resealed ${report.endpoints} endpoint(s) with key ${keys.box.sealingKeyId}; every sealed value now opens with it alone\n`);
      } catch (error) {
        process.stderr.write(`herald rekey: ${(error as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
