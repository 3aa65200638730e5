export { SlackAdapter } from './slack-adapter';
export type { SlackAdapterOptions } from './slack-adapter';
export { downloadSlackFile, slackAttachment, MISSING_FILES_READ } from './slack-file-attachment';
export type { SlackFile, SlackFileAccess } from './slack-file-attachment';
export { escapeMrkdwn, splitForSlack, SLACK_SECTION_LIMIT, SLACK_TEXT_LIMIT } from './slack-mrkdwn';
export { parseSlashCommand } from './slash-command';
export type { SlashRequest } from './slash-command';
