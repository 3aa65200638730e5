/**
 * The commands every platform shares, in plain words. Platform prefixes ("/lego reset", "!reset",
 * a slash command) are stripped by the adapters; this sees what is left. Only a whole message is a
 * command: "reset" is, "reset the colours of box 2" is a question.
 */
export type CommandName = 'reset' | 'regions' | 'help' | 'export';

export interface Command {
  name: CommandName;
}

const PHRASES: Record<CommandName, readonly string[]> = {
  reset: [
    'reset', 'reset conversation', 'reset the conversation', 'reset chat', 'restart', 'start over', 'start again',
    'new conversation', 'new chat', 'clear', 'clear conversation', 'clear history', 'forget', 'forget everything',
    'forget it all',
  ],
  regions: [
    'regions', 'boxes', 'spans', 'memory', 'show regions', 'list regions', 'show boxes', 'list boxes', 'show memory',
    'what do you remember', 'what do you know', 'what have you seen', 'remember',
  ],
  export: ['export', 'export conversation', 'export the conversation', 'export chat', 'save conversation', 'download conversation'],
  help: ['help', 'commands', 'what can you do', 'how does this work', 'how do i use you', 'usage'],
};

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/^[\s/!.,;:-]+|[\s?!.,;:]+$/g, '')
    .replace(/^(?:please|hey|ok|okay)\s+|\s+please$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The command `text` is, or null when it is not one. */
export function parseCommand(text: string): Command | null {
  if (text.trim() === '?') return { name: 'help' };
  const words = normalise(text);
  for (const name of Object.keys(PHRASES) as CommandName[]) {
    if (PHRASES[name].includes(words)) return { name };
  }
  return null;
}
