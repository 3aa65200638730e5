/**
 * What a question about a sound needs besides the sound. A sound alone can be named ("what makes this
 * sound?"), but "where does it come from?" needs the picture it belongs to, and "when is it heard?" the
 * video: asked about a sound alone, those get one sentence asking for it instead of a guess.
 */
export type SoundQuestionNeed = 'image' | 'video' | null;

const WHERE = /\b(where|whereabouts|locate|location|box|boxes|coordinates|point (?:to|at|out)|mark|outline|which part of the (?:image|picture|photo)|in the (?:image|picture|photo))\b/i;
const WHEN = /\b(when|moment|during|timestamps?|which part of the (?:video|clip)|at what time|what time)\b/i;

export function soundQuestionNeeds(question: string): SoundQuestionNeed {
  // time words first: "mark the moment it is heard" asks for a span, not a box
  if (WHEN.test(question)) return 'video';
  if (WHERE.test(question)) return 'image';
  return null;
}

/** The sentence that asks for what the question needs. */
export function soundNeedsText(need: Exclude<SoundQuestionNeed, null>): string {
  return need === 'image'
    ? 'To show where a sound comes from I need the picture too: please send an image together with the sound.'
    : 'To say when a sound is heard I need the video it belongs to: please send the video with its sound.';
}
