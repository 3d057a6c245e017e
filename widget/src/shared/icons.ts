// The launcher's chat-bubble icon: drawn by the loader, restored by the app when the chat closes.
export const CHAT_ICON = 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z';
