import { errorResponse } from '../_shared/http.ts';
import { stripeWebhook } from './handler.ts';

// Stripe is not a browser: no CORS, just the JSON error envelope.
Deno.serve((req) => stripeWebhook(req).catch((err) => errorResponse(err)));
