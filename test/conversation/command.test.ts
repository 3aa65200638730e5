import { parseCommand } from '../../src/conversation/command';
import { helpText } from '../../src/conversation/help-text';

describe('parseCommand', () => {
  test.each([
    ['reset', 'reset'], ['Reset!', 'reset'], ['start over', 'reset'], ['please forget everything', 'reset'], ['  New conversation.', 'reset'],
    ['regions', 'regions'], ['What do you remember?', 'regions'], ['show boxes', 'regions'], ['memory', 'regions'],
    ['help', 'help'], ['?', 'help'], ['What can you do?', 'help'], ['/help', 'help'],
  ])('%s -> %s', (text, name) => {
    expect(parseCommand(text)).toEqual({ name });
  });

  test.each(['reset the colours of box 2', 'what is in box 2?', 'help me find the red star', '', 'remember the red star'])('not a command: %s', (text) => {
    expect(parseCommand(text)).toBeNull();
  });

  test('help names the commands and region references', () => {
    const text = helpText();
    for (const word of ['reset', 'regions', 'box 2', 'zoom into 1', 'compare 1 and 3']) expect(text).toContain(word);
  });
});
