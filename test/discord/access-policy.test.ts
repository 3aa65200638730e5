import { checkAccess } from '../../adapters/discord/access-policy';
import type { AccessLists } from '../../adapters/discord/access-policy';

const none: AccessLists = { guilds: [], channels: [], users: [], roles: [] };
const subject = { guildId: 'g1', channelIds: ['c1'], userId: 'u1', roleIds: ['g1', 'r1'] };

describe('checkAccess', () => {
  it('allows everything with empty lists', () => {
    expect(checkAccess({ allow: none, deny: none, dm: true }, subject).allowed).toBe(true);
  });

  it('deny wins over allow, for every kind', () => {
    for (const kind of ['guilds', 'channels', 'users', 'roles'] as const) {
      const id = kind === 'guilds' ? 'g1' : kind === 'channels' ? 'c1' : kind === 'users' ? 'u1' : 'r1';
      const lists = { ...none, [kind]: [id] };
      expect(checkAccess({ allow: lists, deny: lists, dm: true }, subject).allowed).toBe(false);
    }
  });

  it('a non-empty allow list must contain the subject', () => {
    expect(checkAccess({ allow: { ...none, guilds: ['g2'] }, deny: none, dm: true }, subject).allowed).toBe(false);
    expect(checkAccess({ allow: { ...none, roles: ['r2'] }, deny: none, dm: true }, subject).allowed).toBe(false);
    expect(checkAccess({ allow: { ...none, roles: ['r1'] }, deny: none, dm: true }, subject).allowed).toBe(true);
  });

  it('a thread passes through its parent channel', () => {
    const thread = { ...subject, channelIds: ['t1', 'c1'] };
    expect(checkAccess({ allow: { ...none, channels: ['c1'] }, deny: none, dm: true }, thread).allowed).toBe(true);
    expect(checkAccess({ allow: none, deny: { ...none, channels: ['c1'] }, dm: true }, thread).allowed).toBe(false);
  });

  it('DMs follow the dm switch and the user lists only', () => {
    const dm = { guildId: null, channelIds: ['d1'], userId: 'u1', roleIds: [] };
    expect(checkAccess({ allow: { ...none, guilds: ['g2'], channels: ['c9'] }, deny: none, dm: true }, dm).allowed).toBe(true);
    expect(checkAccess({ allow: none, deny: none, dm: false }, dm).allowed).toBe(false);
    expect(checkAccess({ allow: none, deny: { ...none, users: ['u1'] }, dm: true }, dm).allowed).toBe(false);
  });
});
