/** The answer to "help": what the bot does and how to talk to it, on every platform. */
export function helpText(): string {
  return [
    'Send me an image or a short video and ask about it — I answer in words and show where (boxes) and when (spans).',
    'Every box and span I show gets a number you can use later:',
    '• “what is in box 2?”, “what happens in span 3?”, “compare 1 and 3”',
    '• “zoom into 1” looks again at a closer crop of box 1 (of a video’s span: its stretch, frames closer together)',
    '• or in words, about what I showed last: “what is the left one?”, “and the other one?”, “zoom into the heart”, “zoom into it”, “compare them”',
    '• a new image or video starts a new topic; I still remember the earlier ones: “what was in the first image?”, “image 2”, “the video”',
    '• point at a part yourself: “what is in the region 10,20,200,180?” (pixels: left,top,right,bottom) or “the span 1.5s-3s” of a video',
    'Commands: “reset” forgets this conversation, “regions” (or “what do you remember”) lists what I remember, “export” sends it as Markdown with its pictures, “help” shows this.',
  ].join('\n');
}
