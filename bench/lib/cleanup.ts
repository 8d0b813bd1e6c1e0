/**
 * Everything the bench starts registers how to stop it here, so a normal end, an error, a
 * Ctrl-C and the hard deadline all leave no child process, socket or temp dir behind.
 */
const tasks = new Set<() => Promise<void> | void>();

export function onCleanup(task: () => Promise<void> | void): () => void {
  tasks.add(task);
  return () => void tasks.delete(task);
}

/** Runs the registered tasks newest first; each gets `timeoutMs` at most. */
export async function runCleanup(timeoutMs = 20_000): Promise<void> {
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([Promise.resolve().then(task), deadline]);
    } catch (error) {
      process.stderr.write(`cleanup failed: ${String(error)}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
}
