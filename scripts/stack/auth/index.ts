// PLACEHOLDER until /auth/v1 lands: answers 501 so the stack can boot meanwhile.
import { sendJson } from '../http.ts';
import type { GatewayService, StackContext } from '../service.ts';
export function createAuthService(_ctx: StackContext): GatewayService {
  return { prefix: '/auth/v1', cors: true, requiresApiKey: true, handle: (_q, res) => sendJson(res, 501, { message: 'not implemented yet' }) };
}
