import type { ChildProcess } from 'node:child_process';

/** Sends over the IPC channel while the child still has one; a child that is gone has nothing to hear. */
export function sendIfConnected(child: ChildProcess, message: unknown): void {
  if (child.connected) child.send(message as object);
}

/** Asks a bench child to stop and waits for it; one that does not exit within 3 s is killed. */
export async function stopChild(child: ChildProcess, stopMessage: unknown): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  sendIfConnected(child, stopMessage);
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
