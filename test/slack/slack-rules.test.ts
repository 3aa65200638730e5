import { ignoreReason, isAllowed, isFollowUp } from '../../adapters/slack/slack-access';
import { conversationKeyOf, questionText, replyTargetOf } from '../../adapters/slack/slack-message-event';
import type { SlackMessageEvent } from '../../adapters/slack/slack-message-event';
import { parseSlashCommand } from '../../adapters/slack/slash-command';

const BOT = 'UBOT';

function event(extra: Partial<SlackMessageEvent>): SlackMessageEvent {
  return { type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: 'hi', ts: '1.000001', ...extra };
}

describe('which Slack messages the bot answers', () => {
  it('ignores its own messages, other bots, edits, deletions and joins; keeps file shares and broadcasts', () => {
    expect(ignoreReason(event({}), BOT, 'BBOT')).toBeNull();
    expect(ignoreReason(event({ subtype: 'file_share' }), BOT, 'BBOT')).toBeNull();
    expect(ignoreReason(event({ subtype: 'thread_broadcast' }), BOT, 'BBOT')).toBeNull();
    expect(ignoreReason(event({ user: BOT }), BOT, 'BBOT')).toBe('own message');
    expect(ignoreReason(event({ bot_id: 'BBOT' }), BOT, 'BBOT')).toBe('own message');
    expect(ignoreReason(event({ bot_id: 'BOTHER' }), BOT, 'BBOT')).toBe('bot message');
    expect(ignoreReason(event({ subtype: 'bot_message' }), BOT, 'BBOT')).toMatch(/subtype/);
    expect(ignoreReason(event({ subtype: 'message_changed' }), BOT, 'BBOT')).toMatch(/subtype/);
    expect(ignoreReason(event({ subtype: 'message_deleted' }), BOT, 'BBOT')).toMatch(/subtype/);
    expect(ignoreReason(event({ subtype: 'channel_join' }), BOT, 'BBOT')).toMatch(/subtype/);
    expect(ignoreReason(event({ user: undefined }), BOT, 'BBOT')).toBe('no user');
  });

  it('takes DMs and replies in threads it answered in; leaves mentions to app_mention', () => {
    const known = new Set(['slack:T1:C1:1.000000']);
    const has = (key: string) => known.has(key);
    expect(isFollowUp(event({ channel: 'D1', channel_type: 'im' }), BOT, has, 'slack:T1:D1')).toBe(true);
    expect(isFollowUp(event({ thread_ts: '1.000000' }), BOT, has, 'slack:T1:C1:1.000000')).toBe(true);
    expect(isFollowUp(event({ thread_ts: '2.000000' }), BOT, has, 'slack:T1:C1:2.000000')).toBe(false);
    expect(isFollowUp(event({}), BOT, has, 'slack:T1:C1:1.000001')).toBe(false);
    expect(isFollowUp(event({ thread_ts: '1.000000', text: `<@${BOT}> box 2?` }), BOT, has, 'slack:T1:C1:1.000000')).toBe(false);
  });

  it('applies the allow lists (empty = everyone; DMs skip the channel list)', () => {
    const lists = { teams: ['T1'], channels: ['C1'], users: [] };
    expect(isAllowed(lists, { teamId: 'T1', channel: 'C1', userId: 'U', isDm: false })).toBe(true);
    expect(isAllowed(lists, { teamId: 'T2', channel: 'C1', userId: 'U', isDm: false })).toBe(false);
    expect(isAllowed(lists, { teamId: 'T1', channel: 'C2', userId: 'U', isDm: false })).toBe(false);
    expect(isAllowed(lists, { teamId: 'T1', channel: 'D9', userId: 'U', isDm: true })).toBe(true);
    expect(isAllowed({ ...lists, users: ['UA'] }, { teamId: 'T1', channel: 'C1', userId: 'UB', isDm: false })).toBe(false);
  });
});

describe('conversations and question text', () => {
  it('keys a thread by team, channel and thread; a top-level mention starts its own thread; a DM stays top level', () => {
    expect(conversationKeyOf(replyTargetOf(event({ ts: '5.000001' }), 'T1'))).toBe('slack:T1:C1:5.000001');
    expect(conversationKeyOf(replyTargetOf(event({ ts: '5.000002', thread_ts: '5.000001' }), 'T1'))).toBe('slack:T1:C1:5.000001');
    const dm = replyTargetOf(event({ channel: 'D1', channel_type: 'im', ts: '6.0' }), 'T1');
    expect(dm.threadTs).toBeUndefined();
    expect(conversationKeyOf(dm)).toBe('slack:T1:D1');
  });

  it('removes the mention of the bot, keeps other mentions', () => {
    expect(questionText(`<@${BOT}> where is   the star?`, BOT)).toBe('where is the star?');
    expect(questionText(`hey <@${BOT}|lego>, ask <@UALICE>`, BOT)).toBe('hey , ask <@UALICE>');
  });
});

describe('/lego', () => {
  it('parses ask, reset, regions and help; anything else is a question', () => {
    expect(parseSlashCommand('')).toEqual({ kind: 'help' });
    expect(parseSlashCommand('help')).toEqual({ kind: 'help' });
    expect(parseSlashCommand('ask')).toEqual({ kind: 'help' });
    expect(parseSlashCommand('ask where is it?')).toEqual({ kind: 'ask', question: 'where is it?' });
    expect(parseSlashCommand('RESET')).toEqual({ kind: 'reset' });
    expect(parseSlashCommand('regions')).toEqual({ kind: 'regions' });
    expect(parseSlashCommand('reset the colours of box 2')).toEqual({ kind: 'ask', question: 'reset the colours of box 2' });
    expect(parseSlashCommand('what is this?')).toEqual({ kind: 'ask', question: 'what is this?' });
  });
});
