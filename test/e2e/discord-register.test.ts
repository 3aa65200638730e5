/** `lego discord:register` against the local fake Discord: the CLI reads the token from the environment and PUTs /lego. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program';
import type { CliIo } from '../../src/cli/cli-io';
import { FakeDiscord } from '../helpers/discord-fake/fake-discord';

function bufferIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    stdin: new PassThrough(),
    interactive: false,
    cwd: process.cwd(),
  };
}

describe('lego discord:register', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('registers /lego in one server with the token from DISCORD_TOKEN, printing no token', async () => {
    const guildId = fake.ids.next();
    const io = bufferIo();
    const code = await runCli(['discord:register', '--guild', guildId], io, { env: { DISCORD_TOKEN: fake.token, LEGO_DISCORD_API: fake.apiBase } });
    expect(io.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(io.out.join('')).toContain(`Registered /lego for application ${fake.applicationId} in server ${guildId}`);
    expect(fake.registeredCommands.get(guildId)).toEqual([expect.objectContaining({ name: 'lego' })]);
    expect(io.out.join('') + io.err.join('')).not.toContain(fake.token);
    const put = fake.requests.find((r) => r.method === 'PUT');
    expect(put?.authorization).toBe(`Bot ${fake.token}`);
  });

  it('registers globally without --guild (LEGO_DISCORD_TOKEN works too)', async () => {
    const io = bufferIo();
    const code = await runCli(['discord:register'], io, { env: { LEGO_DISCORD_TOKEN: fake.token, LEGO_DISCORD_API: fake.apiBase } });
    expect(code).toBe(0);
    expect(fake.registeredCommands.get('global')).toHaveLength(1);
  });

  it('names the missing token setting and exits 1', async () => {
    const io = bufferIo();
    const code = await runCli(['discord:register'], io, { env: { LEGO_DISCORD_API: fake.apiBase } });
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/DISCORD_TOKEN/);
  });
});
