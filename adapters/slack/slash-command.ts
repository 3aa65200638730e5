/**
 * `/lego <subcommand> …`: `ask <question>`, `reset`, `regions`, `export`, `help`; anything else is a question
 * (`/lego where is the red star?`), and an empty command is help.
 */
export type SlashRequest =
  | { kind: 'ask'; question: string }
  | { kind: 'reset' }
  | { kind: 'regions' }
  | { kind: 'export' }
  | { kind: 'help' };

export function parseSlashCommand(text: string): SlashRequest {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  const tail = rest.join(' ').trim();
  if (trimmed === '' || word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'reset' && tail === '') return { kind: 'reset' };
  if ((word === 'regions' || word === 'boxes') && tail === '') return { kind: 'regions' };
  if (word === 'export' && tail === '') return { kind: 'export' };
  if (word === 'ask') return tail === '' ? { kind: 'help' } : { kind: 'ask', question: tail };
  return { kind: 'ask', question: trimmed };
}

export function slashHelp(command: string): string {
  return [
    `*${command} ask <question>* (or just \`${command} <question>\`) starts a thread with your question.`,
    `*${command} reset* forgets this DM's conversation; in a thread, mention me with "reset".`,
    `*${command} regions* lists the boxes and spans I remember here.`,
    `*${command} export* sends your latest conversation here as Markdown with its annotated pictures.`,
    `Mention me with an image or a video attached to ask about it; reply in my thread to follow up ("what colour is box 2?").`,
  ].join('\n');
}
