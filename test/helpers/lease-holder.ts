/**
 * A child process for the kill -9 lease test: opens the conversation store given on the command line,
 * starts a turn of conversation KEY that never ends (so it holds and renews that conversation's
 * lease), prints "held" and waits to be killed.
 *
 *   tsx test/helpers/lease-holder.ts sqlite /tmp/x/lego.sqlite KEY
 *   tsx test/helpers/lease-holder.ts redis redis://127.0.0.1:6403 KEY
 */
import { createConversationRuntime } from '../../src/conversation';

async function main(): Promise<void> {
  const [kind, where, key] = process.argv.slice(2);
  if (kind === undefined || where === undefined || key === undefined) throw new Error('usage: lease-holder sqlite|redis PATH|URL KEY');
  const store = kind === 'sqlite' ? { kind, path: where } : { kind, url: where };
  const runtime = await createConversationRuntime({ store });
  setInterval(() => undefined, 1_000); // stay alive until killed
  void runtime.turn(key, async () => {
    process.stdout.write('held\n');
    await new Promise(() => undefined);
  });
}

void main();
