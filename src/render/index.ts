export { ensureRenderFonts, RENDER_FONT_FAMILY } from './fonts';
export { REFERENCE_PALETTE, referenceColour, textColourOn } from './palette';
export type { RenderBox, RenderBoxesOptions, RenderedBoxes } from './render-boxes';
export { boxStyle, renderBoxes, soundSourceLegend } from './render-boxes';
export type { RenderTimelineOptions, TimelineInput, TimelineKeyframe, TimelineSpan, TimelineWaveform } from './render-timeline';
export { renderTimeline } from './render-timeline';
export { formatClock, timeTicks } from './time-ticks';
export type { WaveformEnvelope } from './waveform-envelope';
export { waveformEnvelope } from './waveform-envelope';
