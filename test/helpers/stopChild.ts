/**
 * Stops a child process and waits until it has exited. A child that is only sent a signal keeps
 * its handle open in the test worker until it dies; on a busy machine that outlasts the test
 * file, and Jest then reports a worker that "failed to exit gracefully".
 */
import type { ChildProcess } from 'node:child_process'

/** Sends SIGTERM (SIGKILL after `killAfterMs`) unless the child has exited, and resolves once it has. */
export async function stopChild(child: ChildProcess, killAfterMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill()
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  await exited
  clearTimeout(timer)
}
