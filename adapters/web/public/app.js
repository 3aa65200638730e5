// LEGO bot web chat: plain browser JavaScript, no build step. Talks to the API in adapters/web/web-adapter.ts.
(() => {
  'use strict';

  /** error codes about the file itself: sending it again would not help */
  const FILE_ERRORS = new Set(['too-large', 'unsupported-media', 'media-corrupt']);
  const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#469990', '#ffe119', '#9a6324', '#800000'];
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const chat = $('chat');
  const form = $('composer');
  const question = $('question');
  const fileInput = $('file-input');
  const sendButton = $('send-button');
  const stopButton = $('stop-button');
  const composerError = $('composer-error');
  const attachmentBox = $('attachment');
  const dropOverlay = $('drop-overlay');

  const state = {
    conversation: conversationId(),
    config: { maxImageBytes: 32 * 1024 * 1024, maxVideoBytes: 128 * 1024 * 1024, maxAudioBytes: 32 * 1024 * 1024, maxTextChars: 4000 },
    /** the file chosen for the next message: {file, url, kind} */
    pending: null,
    /** a sound chosen for the next message, heard with the image beside it (or alone): {file, url, kind: 'audio'} */
    sound: null,
    /** the latest image or video of this conversation, as shown in the browser: {url, kind, name} */
    media: null,
    /** the answer being generated: {controller} */
    busy: null,
    /** a region marked by hand on the current media for the next question: {kind: 'box', x1, y1, x2, y2} (pixels) or {kind: 'span', start, end} (seconds) */
    region: null,
  };

  fetch('/api/config').then((r) => (r.ok ? r.json() : null)).then((c) => { if (c) Object.assign(state.config, c); }).catch(() => {});

  function conversationId() {
    const key = 'lego-conversation';
    let id = sessionStorage.getItem(key);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now()).replace(/[^A-Za-z0-9_-]/g, '');
      sessionStorage.setItem(key, id);
    }
    return id;
  }

  function colour(ref) {
    const n = PALETTE.length;
    return PALETTE[(((Math.round(ref) - 1) % n) + n) % n];
  }
  function inkOn(hex) {
    const ch = (o) => { const v = parseInt(hex.slice(o, o + 2), 16) / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    const l = 0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5);
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000' : '#fff';
  }
  function paint(el, ref) {
    const c = colour(ref);
    el.style.setProperty('--c', c);
    el.style.setProperty('--c-ink', inkOn(c));
    return el;
  }
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of [].concat(children)) if (child) node.append(child);
    return node;
  }
  function formatBytes(n) {
    return n >= 1048576 ? `${Math.round((n / 1048576) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
  }
  function formatTime(s) {
    if (!Number.isFinite(s)) return '0:00';
    const m = Math.floor(s / 60);
    const sec = s - m * 60;
    return `${m}:${sec < 10 ? '0' : ''}${sec.toFixed(sec % 1 === 0 ? 0 : 1)}`;
  }
  function scrollDown() { chat.scrollTop = chat.scrollHeight; }
  function showError(text) {
    composerError.textContent = text;
    composerError.hidden = !text;
  }

  // ---- the conversation log ----

  function addMessage(role, who) {
    $('welcome').hidden = true;
    const bubble = el('div', { class: 'bubble' });
    const item = el('li', { class: `msg ${role}` }, [who ? el('div', { class: 'who', text: who }) : null, bubble]);
    log.append(item);
    scrollDown();
    return bubble;
  }

  function addUserMessage(text, media, region, sound) {
    const bubble = addMessage('user', 'You');
    if (media) {
      if (media.kind === 'image') {
        const img = el('img', { class: 'user-media', src: media.url, alt: `Your image ${media.name} (drag on it to mark a region)`, draggable: 'false' });
        const stage = el('div', { class: 'draw-stage' }, [img]);
        enableBoxDrawing(stage, img);
        bubble.append(stage);
      } else {
        const video = el('video', { class: 'user-media', src: media.url, muted: '', controls: '', preload: 'metadata', 'aria-label': `Your video ${media.name}` });
        const track = el('div', { class: 'track draw-track', title: 'Drag here to mark a stretch of the video and ask about it', 'aria-label': 'Timeline: drag to mark a stretch' });
        enableSpanDrawing(track, video);
        bubble.append(video, track);
      }
    }
    if (sound) bubble.append(el('audio', { class: 'user-sound', src: sound.url, controls: '', preload: 'metadata', 'aria-label': `Your sound ${sound.name}` }));
    if (region) bubble.append(el('p', { class: 'status', text: `Marked ${regionWords(region)}` }));
    if (text) bubble.append(el('p', { class: 'text', text }));
  }

  // ---- regions marked by hand: a rectangle dragged on the image, a stretch dragged on the video's timeline ----

  function regionWords(r) {
    return r.kind === 'box' ? `region ${r.x1},${r.y1}–${r.x2},${r.y2} px` : `span ${formatTime(r.start)}–${formatTime(r.end)}`;
  }

  function clearRegion() {
    state.region = null;
    document.querySelectorAll('.marked').forEach((m) => m.remove());
    $('region-chip').hidden = true;
  }

  function setRegion(region, mark) {
    document.querySelectorAll('.marked').forEach((m) => { if (m !== mark) m.remove(); });
    state.region = region;
    $('region-chip-text').textContent = `Asking about the ${regionWords(region)}`;
    $('region-chip').hidden = false;
    if (!question.value.trim()) question.value = region.kind === 'box' ? 'What is in this region?' : 'What happens in this span?';
    autosize();
    question.focus();
  }

  /** Only the conversation's current media can be marked (the server asks about the current one). */
  function isCurrent(src) { return !!state.media && src === state.media.url && !state.busy; }

  function enableBoxDrawing(stage, img) {
    stage.classList.add('drawable');
    let start = null;
    let mark = null;
    const point = (e) => {
      const r = img.getBoundingClientRect();
      return { x: Math.min(Math.max(e.clientX - r.left, 0), r.width), y: Math.min(Math.max(e.clientY - r.top, 0), r.height), r };
    };
    stage.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !isCurrent(img.getAttribute('src'))) return;
      start = point(e);
      e.preventDefault();
    });
    stage.addEventListener('pointermove', (e) => {
      if (!start) return;
      const p = point(e);
      if (!mark) {
        if (Math.abs(p.x - start.x) + Math.abs(p.y - start.y) < 6) return;
        stage.setPointerCapture(e.pointerId);
        mark = el('div', { class: 'marked', 'aria-hidden': 'true' });
        stage.append(mark);
      }
      mark.style.left = `${(Math.min(p.x, start.x) / p.r.width) * 100}%`;
      mark.style.top = `${(Math.min(p.y, start.y) / p.r.height) * 100}%`;
      mark.style.width = `${(Math.abs(p.x - start.x) / p.r.width) * 100}%`;
      mark.style.height = `${(Math.abs(p.y - start.y) / p.r.height) * 100}%`;
    });
    const finish = (e) => {
      if (!start) return;
      const p = point(e);
      const s = start;
      const drawn = mark;
      start = null;
      mark = null;
      if (!drawn) return; // a click, not a drag: boxes and legends handle it
      const sx = img.naturalWidth / p.r.width;
      const sy = img.naturalHeight / p.r.height;
      const box = {
        kind: 'box',
        x1: Math.round(Math.min(s.x, p.x) * sx), y1: Math.round(Math.min(s.y, p.y) * sy),
        x2: Math.round(Math.max(s.x, p.x) * sx), y2: Math.round(Math.max(s.y, p.y) * sy),
      };
      if (box.x2 - box.x1 < 2 || box.y2 - box.y1 < 2) { drawn.remove(); return; }
      setRegion(box, drawn);
    };
    stage.addEventListener('pointerup', finish);
    stage.addEventListener('pointercancel', () => { start = null; mark?.remove(); mark = null; });
  }

  function enableSpanDrawing(track, video) {
    track.classList.add('drawable');
    let start = null;
    let mark = null;
    const at = (e) => {
      const r = track.getBoundingClientRect();
      return Math.min(Math.max(e.clientX - r.left, 0), r.width) / r.width;
    };
    track.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !isCurrent(video.getAttribute('src')) || !(video.duration > 0)) return;
      start = at(e);
      track.setPointerCapture(e.pointerId);
      mark = el('div', { class: 'marked', 'aria-hidden': 'true' });
      track.append(mark);
      e.preventDefault();
    });
    track.addEventListener('pointermove', (e) => {
      if (start === null) return;
      const x = at(e);
      mark.style.left = `${Math.min(x, start) * 100}%`;
      mark.style.width = `${Math.abs(x - start) * 100}%`;
    });
    track.addEventListener('pointerup', (e) => {
      if (start === null) return;
      const x = at(e);
      const d = video.duration;
      const span = { kind: 'span', start: Math.round(Math.min(x, start) * d * 100) / 100, end: Math.round(Math.max(x, start) * d * 100) / 100 };
      const drawn = mark;
      start = null;
      mark = null;
      if (span.end - span.start < 0.05) { drawn.remove(); return; }
      setRegion(span, drawn);
    });
  }

  /** The answer text with "[2]" turned into coloured reference chips. */
  function renderText(text, refs, kinds) {
    const p = el('p', { class: 'text' });
    const known = new Set(refs);
    let last = 0;
    for (const m of text.matchAll(/\[(\d+)\]/g)) {
      const ref = Number(m[1]);
      if (!known.has(ref)) continue;
      p.append(text.slice(last, m.index));
      const kind = kinds.get(ref) || 'box';
      p.append(paint(el('button', {
        type: 'button', class: 'ref', 'data-ref': ref, 'aria-label': `${kind} ${ref}`, title: `Ask about ${kind} ${ref}`, text: String(ref),
        onclick: () => askAbout(kind, ref),
      }), ref));
      last = m.index + m[0].length;
    }
    p.append(text.slice(last));
    return p;
  }

  /** Hover or focus on a reference lights up every element of that number inside `scope`. */
  function linkHighlights(scope) {
    const set = (ref) => {
      scope.querySelectorAll('[data-ref]').forEach((n) => n.classList.toggle('is-active', ref !== null && n.dataset.ref === ref));
      scope.querySelectorAll('.figure').forEach((f) => f.classList.toggle('has-active', ref !== null && !!f.querySelector(`[data-ref="${ref}"]`)));
    };
    for (const type of ['mouseover', 'focusin']) scope.addEventListener(type, (e) => { const t = e.target.closest('[data-ref]'); set(t ? t.dataset.ref : null); });
    // leaving one reference falls back to the one that has keyboard focus, if any
    const focused = () => { const f = document.activeElement; return f && scope.contains(f) && f.dataset && f.dataset.ref ? f.dataset.ref : null; };
    scope.addEventListener('mouseout', (e) => { if (e.target.closest('[data-ref]')) set(focused()); });
    scope.addEventListener('focusout', (e) => { if (e.target.closest('[data-ref]')) set(null); });
  }

  function imageFigure(src, alt, boxes) {
    const img = el('img', { src, alt });
    const overlay = el('div', { class: 'overlay' });
    const stage = el('div', { class: 'stage' }, [img, overlay]);
    const figure = el('figure', { class: 'figure' }, [stage]);
    img.draggable = false;
    enableBoxDrawing(stage, img);
    const place = () => {
      const w = img.naturalWidth, h = img.naturalHeight;
      if (!w || !h) return;
      // small images are shown larger so that their boxes and numbers stay readable (aspect kept)
      if (w < 360 && h < 360) { img.style.width = `${Math.round(360 * Math.min(1, w / h))}px`; img.style.maxHeight = 'none'; }
      overlay.textContent = '';
      for (const b of boxes) {
        const p = b.pixels;
        const box = paint(el('div', {
          class: `box${p.y1 / h < 0.06 ? ' tag-inside' : ''}`, 'data-ref': b.ref, title: `${b.ref}${b.label ? `: ${b.label}` : ''}`,
        }, [el('span', { class: 'tag', text: String(b.ref) })]), b.ref);
        box.style.left = `${(p.x1 / w) * 100}%`;
        box.style.top = `${(p.y1 / h) * 100}%`;
        box.style.width = `${(Math.max(0, p.x2 - p.x1) / w) * 100}%`;
        box.style.height = `${(Math.max(0, p.y2 - p.y1) / h) * 100}%`;
        box.addEventListener('click', () => askAbout('box', b.ref));
        overlay.append(box);
      }
    };
    if (img.complete) place(); else img.addEventListener('load', place, { once: true });
    figure.append(legend(boxes, 'box'));
    return figure;
  }

  function legend(items, kind) {
    const list = el('ul', { class: 'legend', 'aria-label': kind === 'box' ? 'Boxes' : 'Spans' });
    for (const item of items) {
      const words = kind === 'box'
        ? `${item.label || `box ${item.ref}`}${item.soundSource ? ' — source of the sound' : ''}`
        : `${item.label ? `${item.label} · ` : ''}${formatTime(item.seconds.start)}–${formatTime(item.seconds.end)}`;
      const button = paint(el('button', {
        type: 'button', 'data-ref': item.ref, 'aria-label': `${kind} ${item.ref}: ${words}`,
      }, [el('span', { class: 'num', text: String(item.ref) }), el('span', { text: words })]), item.ref);
      button.addEventListener('click', () => (kind === 'box' ? askAbout('box', item.ref) : seekTo(list, item.seconds.start)));
      list.append(el('li', {}, [button]));
    }
    return list;
  }

  function videoFigure(src, name, spans) {
    const video = el('video', { src, controls: '', preload: 'metadata', 'aria-label': `Video ${name}` });
    const track = el('div', { class: 'track', role: 'group', 'aria-label': 'Timeline' });
    const ticks = el('div', { class: 'ticks' });
    const playhead = el('div', { class: 'playhead' });
    const figure = el('figure', { class: 'figure' }, [el('div', { class: 'stage' }, [video]), el('div', { class: 'timeline' }, [track, ticks])]);
    let duration = 1;
    const place = () => {
      const end = Math.max(...spans.map((s) => s.seconds.end), 0.001);
      duration = Number.isFinite(video.duration) && video.duration > 0 ? video.duration : end;
      track.textContent = '';
      track.append(playhead);
      for (const s of spans) {
        const b = paint(el('button', {
          type: 'button', class: 'span', 'data-ref': s.ref, text: String(s.ref),
          'aria-label': `Span ${s.ref}${s.label ? ` (${s.label})` : ''}: ${formatTime(s.seconds.start)} to ${formatTime(s.seconds.end)} — play from here`,
          title: `${s.ref}: ${formatTime(s.seconds.start)}–${formatTime(s.seconds.end)}${s.label ? ` ${s.label}` : ''}`,
        }), s.ref);
        b.style.left = `${(s.seconds.start / duration) * 100}%`;
        b.style.width = `${(Math.max(0, s.seconds.end - s.seconds.start) / duration) * 100}%`;
        b.addEventListener('click', () => seek(video, s.seconds.start));
        track.append(b);
      }
      ticks.textContent = '';
      ticks.append(el('span', { text: '0:00' }), el('span', { text: formatTime(duration / 2) }), el('span', { text: formatTime(duration) }));
    };
    video.addEventListener('timeupdate', () => { playhead.style.left = `${Math.min(100, (video.currentTime / duration) * 100)}%`; });
    if (video.readyState >= 1) place(); else { place(); video.addEventListener('loadedmetadata', place, { once: true }); }
    figure.append(legend(spans, 'span'));
    return figure;
  }

  function seek(video, seconds) {
    video.currentTime = seconds;
    video.play().catch(() => {});
  }
  function seekTo(anyInside, seconds) {
    const video = anyInside.closest('.figure')?.querySelector('video');
    if (video) seek(video, seconds);
  }

  function askAbout(kind, ref) {
    const words = `${kind} ${ref}`;
    const starter = kind === 'span' ? `What happens in ${words}?` : `What is in ${words}?`;
    if (!question.value.includes(words)) question.value = question.value ? `${question.value.trimEnd()} ${words}` : starter;
    question.focus();
    autosize();
  }

  function renderReply(bubble, reply, media) {
    bubble.textContent = '';
    bubble.classList.toggle('error', !!reply.error);
    if (reply.error) bubble.setAttribute('role', 'alert');
    const kinds = new Map([...reply.boxes.map((b) => [b.ref, 'box']), ...reply.spans.map((s) => [s.ref, 'span'])]);
    bubble.append(renderText(reply.text, [...kinds.keys()], kinds));
    const files = reply.files || [];
    const annotated = files.find((f) => f.kind === 'annotated-image');
    const timeline = files.find((f) => f.kind === 'timeline');
    if (reply.boxes.length > 0) {
      if (media && media.kind === 'image') bubble.append(imageFigure(media.url, `Your image ${media.name} with ${reply.boxes.length} numbered boxes`, reply.boxes));
      else if (annotated) bubble.append(el('figure', { class: 'figure' }, [el('img', { class: 'file-image', src: annotated.url, alt: annotated.description || 'The image with numbered boxes' }), legend(reply.boxes, 'box')]));
    }
    if (reply.spans.length > 0) {
      if (media && media.kind === 'video') bubble.append(videoFigure(media.url, media.name, reply.spans));
      else if (timeline) bubble.append(el('figure', { class: 'figure' }, [el('img', { class: 'file-image', src: timeline.url, alt: timeline.description || 'The timeline' }), legend(reply.spans, 'span')]));
    }
    for (const f of files.filter((x) => x.kind === 'crop')) bubble.append(el('img', { class: 'file-image', src: f.url, alt: f.description || 'A closer look' }));
    bubble.querySelectorAll('img.file-image').forEach((img) => img.addEventListener('error', () => img.remove(), { once: true }));
    if (files.length > 0) {
      const links = el('div', { class: 'files' });
      for (const f of files) {
        const label = f.kind === 'annotated-image' ? 'Annotated PNG' : f.kind === 'timeline' ? 'Timeline PNG' : f.kind === 'crop' ? 'Crop' : f.kind === 'export' ? f.name : 'Clip';
        links.append(el('a', { href: f.url, target: '_blank', rel: 'noopener', download: f.name, text: `${label} ↓` }));
      }
      bubble.append(links);
    }
    for (const notice of reply.notices || []) bubble.append(el('p', { class: 'notice', text: notice }));
    linkHighlights(bubble);
    scrollDown();
  }

  // ---- this tab's history (sessionStorage), so a reload keeps the conversation on screen ----

  function historyKey() { return `lego-history-${state.conversation}`; }
  function loadHistory() {
    try { return JSON.parse(sessionStorage.getItem(historyKey()) || '[]'); } catch { return []; }
  }
  function remember(entry) {
    const history = loadHistory().concat([entry]).slice(-60);
    try { sessionStorage.setItem(historyKey(), JSON.stringify(history)); } catch { /* storage full: the page still works */ }
  }
  function forgetHistory() { sessionStorage.removeItem(historyKey()); }
  function replayHistory() {
    for (const entry of loadHistory()) {
      if (entry.role === 'user') {
        const bubble = addMessage('user', 'You');
        if (entry.media) bubble.append(el('p', { class: 'status', text: `${entry.media.kind === 'video' ? 'Video' : 'Image'}: ${entry.media.name}` }));
        if (entry.sound) bubble.append(el('p', { class: 'status', text: `Sound: ${entry.sound.name}` }));
        if (entry.text) bubble.append(el('p', { class: 'text', text: entry.text }));
      } else if (entry.role === 'bot' && entry.reply) renderReply(addMessage('bot', 'LEGO bot'), entry.reply, null);
    }
  }

  // ---- sending ----

  async function upload(pending, signal, conversation = state.conversation) {
    const url = `/api/uploads?conversation=${encodeURIComponent(conversation)}&name=${encodeURIComponent(pending.file.name)}`;
    const label = $(pending.kind === 'audio' ? 'sound-name' : 'attachment-name');
    // the label is this file's only while it is the one attached (another may replace it meanwhile)
    const shown = () => state.pending === pending || state.sound === pending;
    if (shown()) label.textContent = `${pending.file.name} · uploading…`;
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': pending.file.type }, body: pending.file, signal })
      .finally(() => { if (shown()) label.textContent = `${pending.file.name} · ${formatBytes(pending.file.size)}`; });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(body?.error?.message || `Sorry, the upload failed (${res.status}).`);
    return body.id;
  }

  /**
   * Starts sending an attached file at once, as chat apps do: the server has it (and starts preparing a
   * photo) while the question is typed, so pressing Send waits for the answer, not for the upload.
   */
  function startUpload(pending) {
    const controller = new AbortController();
    const conversation = state.conversation;
    const promise = upload(pending, controller.signal, conversation);
    // refused (no room on the server, the connection dropped): said at once, tried again at Send
    promise.catch((error) => {
      if (!controller.signal.aborted && (state.pending === pending || state.sound === pending)) showError((error && error.message) || 'Sorry, the upload failed.');
    });
    pending.early = { controller, conversation, promise };
  }

  /** Stops a file's upload started on attach (the file was removed or replaced). */
  function dropUpload(pending) {
    const early = pending && pending.early;
    if (!early) return;
    pending.early = null;
    early.controller.abort();
    // already on the server: it may let go of it now
    early.promise.then((id) => fetch(`/api/uploads/${encodeURIComponent(id)}?conversation=${encodeURIComponent(early.conversation)}`, { method: 'DELETE' })).catch(() => {});
  }

  /**
   * The upload id of a file being sent: the upload started when it was attached (once: the server lets
   * go of an upload when its message is answered), or a new one when there is none, it failed, or it was
   * made for another conversation (Reset in between).
   */
  async function uploadFor(pending, signal) {
    const early = pending.early;
    pending.early = null;
    if (early && early.conversation === state.conversation) {
      const stop = () => early.controller.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        return await early.promise;
      } catch (error) {
        if (signal.aborted) throw error;
      } finally {
        signal.removeEventListener('abort', stop);
      }
    } else if (early) early.controller.abort();
    return upload(pending, signal);
  }

  /** Sends the question (with the attached file); commands (help, regions) go without the attachment. */
  async function send(text, command = false) {
    if (state.busy) return;
    const pending = command ? null : state.pending;
    const sound = command ? null : state.sound;
    // a new file starts a new media context: a region marked on the old one does not apply to it
    const region = command || pending || sound ? null : state.region;
    if (!text && !pending && !sound && !region) { showError('Please type a question or attach an image or a video.'); question.focus(); return; }
    showError('');
    setBusy({ controller: new AbortController() });
    const { controller } = state.busy;
    let bubble;
    const previousMedia = state.media;
    // a turn that fails or is stopped saves nothing on the server, its file included: attach it again
    const undoUpload = () => {
      if ((!pending && !sound) || state.pending || state.sound) return;
      state.media = previousMedia;
      // shown again and sent again: the server kept nothing of it
      if (pending) { showAttachment(pending); startUpload(pending); }
      if (sound) { showSound(sound); startUpload(sound); }
    };
    try {
      const uploads = [];
      // the image (or video) first, then its sound: the pipeline hears them as one media context
      if (pending) uploads.push(await uploadFor(pending, controller.signal));
      if (sound) uploads.push(await uploadFor(sound, controller.signal));
      if (pending) {
        state.media = { url: pending.url, kind: pending.kind, name: pending.file.name };
        clearAttachment(false);
      } else if (sound) state.media = null;
      if (sound) clearSound(false);
      addUserMessage(text, pending ? state.media : null, region, sound ? { url: sound.url, name: sound.file.name } : null);
      if (region) clearRegion();
      remember({ role: 'user', text, media: pending ? { kind: pending.kind, name: pending.file.name } : null, sound: sound ? { name: sound.file.name } : null });
      question.value = '';
      autosize();
      bubble = addMessage('bot', 'LEGO bot');
      const status = el('p', { class: 'status', text: 'Thinking…' });
      const live = el('p', { class: 'text streaming' });
      bubble.append(status, live);
      bubble.setAttribute('aria-busy', 'true');
      const res = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({ conversation: state.conversation, text, uploads, region: region ? regionBody(region) : undefined }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => null);
        throw new Error(body?.error?.message || `Sorry, something went wrong (${res.status}).`);
      }
      let final = null;
      await readEvents(res.body, (event, data) => {
        if (event === 'status') status.textContent = data.text;
        else if (event === 'partial') { status.hidden = true; live.textContent = data.text; scrollDown(); }
        else if (event === 'reply') final = data;
      });
      if (final && final.skipped) { bubble.closest('.msg').remove(); return; }
      bubble.removeAttribute('aria-busy');
      if (final) {
        renderReply(bubble, final, state.media);
        remember({ role: 'bot', reply: final });
        if (final.error && !FILE_ERRORS.has(final.error.code)) undoUpload();
      } else throw new Error('Sorry, the answer was cut off. Please try again.');
    } catch (error) {
      const stopped = error && error.name === 'AbortError';
      if (bubble) undoUpload();
      const message = stopped ? 'Stopped.' : (error && error.message) || 'Sorry, something went wrong.';
      if (bubble) {
        bubble.removeAttribute('aria-busy');
        const partial = bubble.querySelector('.text.streaming');
        if (stopped && partial && partial.textContent) { partial.classList.remove('streaming'); bubble.querySelector('.status')?.remove(); bubble.append(el('p', { class: 'notice', text: 'Stopped.' })); }
        else renderReply(bubble, { text: message, boxes: [], spans: [], files: [], notices: [], error: stopped ? undefined : { code: 'internal' } }, null);
      } else showError(message);
    } finally {
      setBusy(null);
    }
  }

  function regionBody(r) {
    return r.kind === 'box' ? { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 } : { start: r.start, end: r.end };
  }

  async function readEvents(stream, onEvent) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.hidden = !!busy;
    stopButton.hidden = !busy;
    for (const id of ['reset-button', 'regions-button', 'export-button', 'help-button']) $(id).disabled = !!busy;
  }

  // ---- attachments ----

  /** Attach what was chosen or dropped: an image or a video, and a sound to go with it (two files at most). */
  function attachAll(files) {
    const list = [...(files || [])];
    if (list.length > 2) { showError('Please attach at most two files: an image (or a video) and a sound.'); return; }
    for (const file of list) attach(file, true);
  }

  function attach(file, keepError = false) {
    if (!keepError) showError('');
    if (!file) return;
    const kind = file.type.startsWith('image/') ? 'image' : file.type.startsWith('video/') ? 'video' : file.type.startsWith('audio/') ? 'audio' : null;
    if (!kind) { showError(`Sorry, I can only read images, videos and sounds, and “${file.name}” is none of them.`); return; }
    const limit = kind === 'image' ? state.config.maxImageBytes : kind === 'video' ? state.config.maxVideoBytes : state.config.maxAudioBytes;
    const noun = kind === 'audio' ? 'sound' : kind;
    if (file.size > limit) { showError(`Sorry, that ${noun} is too large for me (${formatBytes(file.size)}; the limit is ${formatBytes(limit)}).`); return; }
    if (kind === 'audio') {
      clearSound(true);
      showSound({ file, url: URL.createObjectURL(file), kind });
      startUpload(state.sound);
      question.focus();
      return;
    }
    clearAttachment(true);
    showAttachment({ file, url: URL.createObjectURL(file), kind });
    startUpload(state.pending);
    question.focus();
  }

  function showAttachment(pending) {
    state.pending = pending;
    const preview = $('attachment-preview');
    preview.textContent = '';
    preview.append(pending.kind === 'image' ? el('img', { src: pending.url, alt: '' }) : el('video', { src: pending.url, muted: '', preload: 'metadata' }));
    $('attachment-name').textContent = `${pending.file.name} · ${formatBytes(pending.file.size)}`;
    attachmentBox.hidden = false;
  }

  function clearAttachment(revoke) {
    if (state.pending && revoke) { URL.revokeObjectURL(state.pending.url); dropUpload(state.pending); }
    state.pending = null;
    attachmentBox.hidden = true;
    fileInput.value = '';
  }

  function showSound(sound) {
    state.sound = sound;
    $('sound-name').textContent = `${sound.file.name} · ${formatBytes(sound.file.size)}`;
    $('sound-attachment').hidden = false;
  }

  function clearSound(revoke) {
    if (state.sound && revoke) { URL.revokeObjectURL(state.sound.url); dropUpload(state.sound); }
    state.sound = null;
    $('sound-attachment').hidden = true;
    fileInput.value = '';
  }

  // ---- samples on the welcome (assets/samples, listed in /samples/samples.json) ----

  async function loadSamples() {
    const index = await fetch('/samples/samples.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
    const samples = Array.isArray(index?.samples) ? index.samples : [];
    if (samples.length === 0) return;
    const list = $('sample-list');
    for (const sample of samples) {
      const src = `/samples/${encodeURIComponent(sample.file)}`;
      const thumb = sample.kind === 'video'
        ? el('video', { class: 'sample-thumb', src: `${src}#t=${((sample.duration || 0) / 2).toFixed(2)}`, muted: '', preload: 'metadata', 'aria-hidden': 'true' })
        : el('img', { class: 'sample-thumb', src, alt: '' });
      const button = el('button', {
        type: 'button',
        class: 'sample',
        'data-sample': sample.file,
        ...(sample.sound ? { 'data-sound': sample.sound } : {}),
        title: `Attach ${sample.file}${sample.sound ? ` with the sound ${sample.sound}` : ''} and ask “${sample.question}”`,
        onclick: () => askSample(sample),
      }, [thumb, el('span', { class: 'sample-question', text: sample.question }), el('span', { class: 'sample-kind', text: sample.sound || sample.soundtrack ? `${sample.kind} + sound` : sample.kind })]);
      list.append(el('li', {}, button));
    }
    $('samples').hidden = false;
  }

  /** Attach a sample as if it had been chosen from the disk, and ask its suggested question. */
  async function askSample(sample) {
    if (state.busy) return;
    try {
      const res = await fetch(`/samples/${encodeURIComponent(sample.file)}`);
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      attach(new File([blob], sample.file, { type: blob.type || (sample.kind === 'video' ? 'video/mp4' : 'image/png') }));
      if (!state.pending) return; // attach() said why
      if (sample.sound) {
        const heard = await fetch(`/samples/${encodeURIComponent(sample.sound)}`);
        if (!heard.ok) throw new Error(String(heard.status));
        const bytes = await heard.blob();
        attach(new File([bytes], sample.sound, { type: bytes.type || 'audio/wav' }), true);
        if (!state.sound) return;
      }
      question.value = sample.question;
      autosize();
      send(sample.question);
    } catch {
      showError(`Sorry, I could not load the sample ${sample.file}. Please try again.`);
    }
  }

  function autosize() {
    question.style.height = 'auto';
    question.style.height = `${Math.min(question.scrollHeight, 180)}px`;
  }

  // ---- wiring ----

  form.addEventListener('submit', (e) => { e.preventDefault(); send(question.value.trim()); });
  question.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(question.value.trim()); }
  });
  question.addEventListener('input', autosize);
  question.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length > 0) { e.preventDefault(); showError(''); attachAll(files); }
  });
  fileInput.addEventListener('change', () => { showError(''); attachAll(fileInput.files); });
  $('attachment-remove').addEventListener('click', () => { clearAttachment(true); question.focus(); });
  $('sound-remove').addEventListener('click', () => { clearSound(true); question.focus(); });
  $('region-remove').addEventListener('click', () => { clearRegion(); question.focus(); });
  stopButton.addEventListener('click', () => state.busy?.controller.abort());
  $('help-button').addEventListener('click', () => send('help', true));
  $('regions-button').addEventListener('click', () => send('regions', true));
  $('export-button').addEventListener('click', () => send('export', true));
  $('reset-button').addEventListener('click', async () => {
    if (state.busy) return;
    setBusy({ controller: new AbortController() });
    try {
      const res = await fetch('/api/reset', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ conversation: state.conversation }) });
      const reply = await res.json().catch(() => null);
      log.textContent = '';
      forgetHistory();
      state.media = null;
      clearRegion();
      clearAttachment(true);
      clearSound(true);
      const note = addMessage('system');
      note.textContent = reply?.text || 'Conversation reset.';
      if (reply?.error) note.setAttribute('role', 'alert');
    } catch {
      showError('Sorry, I could not reset the conversation. Please try again.');
    } finally {
      setBusy(null);
      question.focus();
    }
  });

  let dragDepth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  window.addEventListener('dragenter', (e) => { if (!hasFiles(e)) return; e.preventDefault(); dragDepth += 1; dropOverlay.hidden = false; });
  window.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
  window.addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (dragDepth === 0) dropOverlay.hidden = true; });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth = 0;
    dropOverlay.hidden = true;
    showError('');
    attachAll(e.dataTransfer.files);
  });
  replayHistory();
  loadSamples();
  question.focus();
})();
