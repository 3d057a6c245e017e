// emily-chat.js: announces its start function to the loader on its own <script> element (the
// loader created it and listens there), so the app adds no global of its own.
import { APP_READY_EVENT, type StartApp } from '../shared/bridge.ts';
import { startApp } from './start.ts';

document.currentScript?.dispatchEvent(new CustomEvent<StartApp>(APP_READY_EVENT, { detail: startApp }));
