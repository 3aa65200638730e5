import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

export const LEGO_COMMAND = 'lego';

/** The subcommands of /lego and the words each one sends to the pipeline (which knows the commands). */
export type LegoSubcommand = 'ask' | 'reset' | 'regions' | 'export' | 'help';

/** `/lego ask question:<text> [file:<attachment>]`, `/lego reset`, `/lego regions`, `/lego export`, `/lego help`. */
export function legoCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const lego = new SlashCommandBuilder()
    .setName(LEGO_COMMAND)
    .setDescription('Ask LEGO about an image or a video: where (boxes) and when (spans)')
    .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .addSubcommand((sub) =>
      sub
        .setName('ask')
        .setDescription('Ask a question, optionally about an image, video or audio file')
        .addStringOption((option) => option.setName('question').setDescription('What do you want to know?').setRequired(true).setMaxLength(1500))
        .addAttachmentOption((option) => option.setName('file').setDescription('An image, a short video or an audio clip').setRequired(false)),
    )
    .addSubcommand((sub) => sub.setName('reset').setDescription('Forget this conversation'))
    .addSubcommand((sub) => sub.setName('regions').setDescription('List the boxes and spans I remember here'))
    .addSubcommand((sub) => sub.setName('export').setDescription('This conversation as Markdown, with its annotated pictures'))
    .addSubcommand((sub) => sub.setName('help').setDescription('How to talk to me'));
  return [lego.toJSON()];
}
