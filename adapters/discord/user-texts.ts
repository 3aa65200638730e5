/** The adapter's own short lines (the pipeline writes everything else). */
export const EMPTY_MENTION_TEXT =
  'Hi! Mention me with an image or a short video and a question — e.g. “@LEGO where is the red car?” — or say “help”.';

export const CUT_OFF_TEXT = 'Sorry — I had to restart and this answer was cut off. Please ask again in a moment.';

export const NOT_ENABLED_TEXT = 'Sorry, I am not enabled here.';

export const RESTARTING_TEXT = 'I am restarting right now — please try again in a minute.';

export const FILES_FAILED_NOTICE = 'I could not attach the picture here (too large for this server?).';
