// The live preview: the real widget in a frame (preview.html on this origin), fed the settings
// being edited. A change reloads the frame after a short pause, so typing stays smooth.
import { useEffect, useRef, useState } from 'preact/hooks';
import { isReady, type PreviewSettings, type PreviewWebsite } from '../preview/protocol.ts';

const RELOAD_AFTER_MS = 500;
/** The frame is laid out as a desktop page of this size (the widget goes full screen under 480 px), then scaled to fit. */
const FRAME = { width: 560, height: 720 };

export function WidgetPreview({ website, aiEnabled }: { website: PreviewWebsite; aiEnabled: boolean }) {
  const settings: PreviewSettings = { type: 'emily-preview:settings', website, ai: { enabled: aiEnabled } };
  const key = JSON.stringify(settings);
  const latest = useRef(settings);
  latest.current = settings;
  const frame = useRef<HTMLIFrameElement>(null);
  const [generation, setGeneration] = useState(0);
  const shown = useRef(key);
  const box = useRef<HTMLDivElement>(null);
  const [scale, setScale] = useState(0.75);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const fit = () => setScale(Math.min(1, el.clientWidth / FRAME.width));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (shown.current === key) return;
    const t = setTimeout(() => {
      shown.current = key;
      setGeneration((g) => g + 1);
    }, RELOAD_AFTER_MS);
    return () => clearTimeout(t);
  }, [key]);

  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const target = frame.current?.contentWindow;
      if (e.origin !== location.origin || !target || e.source !== target || !isReady(e.data)) return;
      target.postMessage(latest.current, location.origin);
    };
    addEventListener('message', onMessage);
    return () => removeEventListener('message', onMessage);
  }, []);

  return (
    <div class="preview">
      <div class="preview-box" ref={box} style={{ height: `${Math.round(FRAME.height * scale)}px` }}>
        <iframe key={generation} ref={frame} src="preview.html" title="Live preview of your chat widget" class="preview-frame"
          width={FRAME.width} height={FRAME.height} style={{ transform: `scale(${scale})` }} />
      </div>
      <p class="hint">This is the real widget with your unsaved settings. Messages sent here are real: they appear in your inbox.</p>
    </div>
  );
}
