// GET /health and GET /settings, which tooling and auth-js may call (internal/api/api.go, settings.go).
import type { ServerResponse } from 'node:http';
import { sendJson } from '../../http.ts';
import type { AuthContext } from '../context.ts';

export function health(res: ServerResponse): void {
  sendJson(res, 200, {
    version: 'emily-local',
    name: 'GoTrue',
    description: 'GoTrue is a user registration and authentication API',
  });
}

const OAUTH_PROVIDERS = [
  'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'snapchat', 'figma', 'fly', 'github', 'gitlab', 'google',
  'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch',
  'twitter', 'zoom',
];

/** What is switched on: e-mail and anonymous sign-ins as config.toml says; no OAuth, SMS or SAML locally. */
export function settings(res: ServerResponse, ctx: AuthContext): void {
  const auth = ctx.settings();
  const external: Record<string, boolean> = { anonymous_users: auth.enableAnonymousSignIns };
  for (const p of OAUTH_PROVIDERS) external[p] = false;
  external.email = true;
  external.phone = false;
  sendJson(res, 200, {
    external,
    disable_signup: !auth.enableSignup,
    mailer_autoconfirm: true,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  });
}
