// PLACEHOLDER until /functions/v1 lands: answers 501 so the stack can boot meanwhile.
import { sendJson } from '../http.ts';
import type { GatewayService, StackContext } from '../service.ts';
export function createFunctionsService(_ctx: StackContext): GatewayService {
  return { prefix: '/functions/v1', cors: false, requiresApiKey: false, handle: (_q, res) => sendJson(res, 501, { message: 'not implemented yet' }) };
}
