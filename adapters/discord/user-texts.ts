/** The adapter's own short lines (the pipeline writes everything else). */
export const EMPTY_MENTION_TEXT =
  'Hi! Mention me with an image or a short video and a question — e.g. “@LEGO where is the red car?” — or say “help”.';

export const NOT_ENABLED_TEXT = 'Sorry, I am not enabled here.';

export const RESTARTING_TEXT = 'I am restarting right now — please try again in a minute.';

/** Discord's limit on one message's text. */
export const DISCORD_MESSAGE_LIMIT = 2000;
