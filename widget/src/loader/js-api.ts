// window.EmilyChat once the loader has run: calls made before the chat app is loaded are queued
// and replayed in order; events are dispatched here so host code can subscribe at any time.
import type { AppApi, Identity, WidgetEvent } from '../shared/bridge.ts';

type Listener = (data?: unknown) => void;
type Call = { [K in keyof AppApi]: [K, Parameters<AppApi[K]>] }[keyof AppApi];

export interface JsApi extends AppApi {
  on(event: WidgetEvent, fn: Listener): void;
  off(event: WidgetEvent, fn: Listener): void;
}

export function createJsApi(wantApp: () => void) {
  const listeners = new Map<string, Set<Listener>>();
  const queue: Call[] = [];
  let app: AppApi | undefined;
  let ready = false;

  const emit = (event: WidgetEvent, data?: unknown) => {
    if (event === 'ready') {
      // Once: the loader may announce it before the app has loaded (a first-time visitor).
      if (ready) return;
      ready = true;
    }
    for (const fn of [...(listeners.get(event) ?? [])]) {
      // A throwing host listener must not break the widget nor the other listeners.
      try { fn(data); } catch (err) { console.error(err); }
    }
  };

  /** `loads`: the call needs the app, so it is fetched now (close/identify/reset can wait for it). */
  const call = <K extends keyof AppApi>(name: K, loads?: boolean) => (...args: Parameters<AppApi[K]>) => {
    if (app) return (app[name] as (...a: unknown[]) => void)(...args);
    queue.push([name, args] as Call);
    if (loads) wantApp();
  };

  const api: JsApi = {
    open: call('open', true),
    close: call('close'),
    toggle: call('toggle', true),
    identify: call('identify') as (identity: Identity) => void,
    reset: call('reset'),
    on(event, fn) {
      if (typeof fn !== 'function') return;
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      // Subscribing after the fact still learns the widget is ready.
      if (event === 'ready' && ready) fn();
    },
    off(event, fn) {
      listeners.get(event)?.delete(fn);
    },
  };

  return {
    api,
    emit,
    attach(impl: AppApi) {
      app = impl;
      for (const [name, args] of queue.splice(0)) (impl[name] as (...a: unknown[]) => void)(...args);
    },
  };
}
